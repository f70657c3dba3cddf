from __future__ import annotations

import pytest
from django.core.management import call_command

from passeport.jobs.enums import SkillKind
from passeport.jobs.models import (
    RomeAppellation,
    RomeFiche,
    RomeFicheSkill,
    RomeMobility,
    RomeSkill,
)
from passeport.jobs.selectors import appellations_search, fiche_default_skills, referential


@pytest.mark.django_db
def test_the_migration_loads_the_whole_referential():
    assert RomeFiche.objects.count() == 1584
    assert RomeAppellation.objects.count() == 13120
    assert RomeFiche.objects.get(code="K1304").label.startswith("Employé familial")
    assert RomeAppellation.objects.get(pk=10805).fiche_id == "K1304"
    # savoir-faire, savoir-être and savoirs of a fiche, and its mobility links
    kinds = set(RomeFicheSkill.objects.filter(fiche="K1304").values_list("kind", flat=True))
    assert kinds == {SkillKind.SAVOIR_FAIRE, SkillKind.SAVOIR_ETRE, SkillKind.SAVOIR}
    assert RomeMobility.objects.filter(source="K1304", target="K1302").exists()
    # a competence knows its macro-compétence
    skill = RomeSkill.objects.filter(macro_code__isnull=False).first()
    assert RomeSkill.objects.filter(pk=skill.macro_code, is_macro=True).exists()


@pytest.mark.django_db
def test_load_rome_is_idempotent(capsys):
    call_command("load_rome")
    out = capsys.readouterr().out
    assert "romeappellation : 0 ajoutés, 0 mis à jour, 13120 inchangés" in out
    assert "romeficheskill : 0 ajoutés" in out
    assert RomeAppellation.objects.count() == 13120


@pytest.mark.django_db
def test_load_rome_updates_a_changed_label():
    RomeAppellation.objects.filter(pk=10805).update(label="Changé")
    call_command("load_rome")
    assert RomeAppellation.objects.get(pk=10805).label == "Aide à domicile"


@pytest.mark.django_db
@pytest.mark.parametrize("typed", ["aide a domicile", "AIDE À DOMICILE", "domicile aide", "  aide   à dom "])
def test_autocomplete_ignores_accents_case_and_word_order(typed):
    labels = [a.label for a in appellations_search(typed)]
    assert "Aide à domicile" in labels


@pytest.mark.django_db
def test_autocomplete_puts_labels_starting_with_the_word_first():
    labels = [a.label for a in appellations_search("electricien")]
    assert labels and all(label.lower().startswith("electricien") or label.lower().startswith("électricien")
                          for label in labels[:5])
    assert appellations_search("e") == []
    assert appellations_search("xqzw") == []


@pytest.mark.django_db
def test_offer_skills_are_prefilled_from_the_fiche():
    required, wished = fiche_default_skills("K1304")
    core = set(RomeFicheSkill.objects.filter(fiche="K1304", core=True, kind=SkillKind.SAVOIR_FAIRE)
               .values_list("skill_id", flat=True))
    assert set(required) == core and required
    assert set(wished) == set(RomeFicheSkill.objects.filter(fiche="K1304", kind=SkillKind.SAVOIR_ETRE)
                              .values_list("skill_id", flat=True))


@pytest.mark.django_db
def test_referential_for_the_engine():
    ref = referential()
    assert "K1302" in ref.mobility["K1304"]
    skill = RomeSkill.objects.filter(macro_code__isnull=False).first()
    assert ref.macro_of[skill.pk] == skill.macro_code
