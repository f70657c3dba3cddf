from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _
from dsfr.utils import dsfr_input_class_attr

from passeport.skills.enums import LEVELS, AchievementType, EvaluationSource
from passeport.web.forms import DsfrBaseForm
from passeport.web.jobs.forms import AppellationMixin, appellation_field


class BadgeClassForm(DsfrBaseForm):
    name = forms.CharField(label=_("Nom du badge"), max_length=120)
    description = forms.CharField(label=_("Description"), widget=forms.Textarea(attrs={"rows": 3}))
    criteria = forms.CharField(label=_("Critères d'obtention"), widget=forms.Textarea(attrs={"rows": 3}),
                               help_text=_("Ce que la personne a montré pour obtenir le badge."))
    achievement_type = forms.ChoiceField(label=_("Type"), choices=AchievementType.choices)
    rome_code = forms.CharField(label=_("Code ROME"), max_length=20, required=False,
                                help_text=_("Fiche métier ou compétence ROME 4.0, par exemple K2111."))
    rome_label = forms.CharField(label=_("Intitulé ROME"), max_length=200, required=False)
    digcomp = forms.CharField(label=_("Compétence DigComp 2.2"), max_length=5,
                              required=False, help_text=_("Par exemple 1.1 ou 4.2."))
    valid_months = forms.IntegerField(label=_("Durée de validité en mois"),
                                      min_value=1, max_value=240, required=False)


class AwardForm(DsfrBaseForm):
    badge_class = forms.ChoiceField(label=_("Badge"))
    evidence = forms.CharField(label=_("Ce que vous avez observé (preuve)"), required=False,
                               widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, badge_classes=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["badge_class"].choices = [(str(b.uid), b.name) for b in badge_classes]


class RevokeForm(DsfrBaseForm):
    reason = forms.CharField(label=_("Raison du retrait"), max_length=200)


class IssuerForm(DsfrBaseForm):
    name = forms.CharField(label=_("Nom de l'émetteur"), max_length=200)
    url = forms.URLField(label=_("Site web"), required=False, assume_scheme="https")
    email = forms.EmailField(label=_("E-mail de contact"), required=False)


class EvaluationForm(DsfrBaseForm):
    """Built from a grid: one level field per item."""

    evaluated_on = forms.DateField(label=_("Date de l'évaluation"),
                                   widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    source = forms.ChoiceField(label=_("Qui évalue"), choices=[
        (EvaluationSource.REFERENT, EvaluationSource.REFERENT.label),
        (EvaluationSource.EMPLOYER, EvaluationSource.EMPLOYER.label)])
    employer_name = forms.CharField(label=_("Employeur qui a fait le bilan"), max_length=150, required=False,
                                    help_text=_("Si c'est le bilan d'un employeur après une immersion."))
    comment = forms.CharField(label=_("Commentaire (ce qui a été observé)"), required=False,
                              widget=forms.Textarea(attrs={"rows": 3}))
    evidence_document = forms.ChoiceField(label=_("Pièce du coffre-fort"), required=False)

    def __init__(self, *args, grid, documents=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.grid = grid
        digital = grid.code == "digcomp-2-2"
        levels = range(0, 4) if digital else range(1, 5)
        self.item_fields = []
        for item in grid.items.all():
            name = f"item_{item.code}"
            choices = [("", _("Non évalué"))] + [
                (str(n), f"{n} – {item.descriptors.get(str(n)) or LEVELS.get(n, '')}") for n in levels]
            if grid.rome_code:  # ROME items are named by their label (their code is an OGR number)
                label = f"{item.label} ({_('cœur de métier')})" if item.group == "coeur" else item.label
            else:
                label = f"{item.code} {item.label}"
            self.fields[name] = forms.ChoiceField(label=label, choices=choices, required=False)
            self.item_fields.append(name)
        self.fields["evidence_document"].choices = [("", _("Aucune"))] + [
            (str(d.uid), d.title) for d in documents]
        for name in self.item_fields:
            dsfr_input_class_attr(self[name])

    def scores(self) -> dict[str, int]:
        return {name[len("item_"):]: int(self.cleaned_data[name]) for name in self.item_fields
                if self.cleaned_data.get(name) not in (None, "")}


class ImportForm(DsfrBaseForm):
    file = forms.FileField(label=_("Fichier du badge (image PNG ou SVG, ou fichier JSON)"),
                           required=False)
    url = forms.URLField(label=_("Ou l'adresse web du badge"), required=False,
                          assume_scheme="https")


class RomeGridForm(AppellationMixin, DsfrBaseForm):
    """Pick a job (ROME appellation) to evaluate on its fiche métier's grids."""

    appellation_fields = ("appellation",)
    appellation = appellation_field(_("Métier"))


class KeyRotateForm(DsfrBaseForm):
    reason = forms.CharField(label=_("Pourquoi"), max_length=200, required=False,
                             help_text=_("Par exemple : « Renouvellement annuel »."))
    confirmed = forms.BooleanField(
        label=_("Je confirme : les nouveaux badges seront signés avec une nouvelle clé ; les "
                "badges déjà délivrés restent valides."),
        error_messages={"required": _("Cochez cette case pour changer la clé.")})

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", "rotate-%s")  # two key forms on one page: distinct ids
        super().__init__(*args, **kwargs)


class KeyCompromiseForm(DsfrBaseForm):
    number = forms.TypedChoiceField(label=_("Clé compromise"), coerce=int)
    reason = forms.CharField(label=_("Ce qui s'est passé"), max_length=200,
                             help_text=_("Par exemple : « Sauvegarde de la base perdue »."))
    confirmed = forms.BooleanField(
        label=_("Je confirme : tous les badges signés avec cette clé ne seront plus reconnus "
                "comme valides, quelle que soit leur date."),
        error_messages={"required": _("Cochez cette case pour déclarer la clé compromise.")})

    def __init__(self, *args, keys=(), **kwargs):
        kwargs.setdefault("auto_id", "compromise-%s")
        super().__init__(*args, **kwargs)
        self.fields["number"].choices = [
            (k.number, _("Clé n° %(n)d (%(state)s)") % {
                "n": k.number, "state": _("actuelle") if k.is_current else _("retirée")})
            for k in keys if not k.is_compromised]
