"""Evaluation grids per ROME 4.0 fiche métier, built from the jobs app's referential.

Each fiche gives two shared grids (no organisation, like the shipped ones), made on
first need and kept:

- `rome-<code>-sf` (technical): the fiche's savoir-faire, « cœur de métier » first;
- `rome-<code>-se` (behavioural): the fiche's savoir-être professionnels.

An item's `code` and `rome_code` are the ROME skill's OGR code, so that an employer's
immersion assessment (skills rated by OGR code) maps onto the grid, and so that a badge
or an evaluation names the ROME skill an outside system knows.
"""

from __future__ import annotations

import re

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from passeport.core.errors import NotFound
from passeport.jobs.enums import SkillKind
from passeport.jobs.models import RomeFiche, RomeFicheSkill

from .enums import GridKind
from .models import Grid, GridItem

KINDS = {SkillKind.SAVOIR_FAIRE: ("sf", GridKind.TECHNICAL), SkillKind.SAVOIR_ETRE: ("se", GridKind.BEHAVIOURAL)}


def grid_code(fiche_code: str, skill_kind: str) -> str:
    return f"rome-{fiche_code.lower()}-{KINDS[skill_kind][0]}"


def is_rome_grid(grid: Grid) -> bool:
    return grid.organisation_id is None and grid.code.startswith("rome-")


def rome_grids_ensure(fiche_code: str) -> dict[str, Grid]:
    """The savoir-faire and savoir-être grids of a fiche métier ({SkillKind: Grid}),
    created from the referential the first time they are asked for. A fiche without
    savoir-être (rare) gives only the savoir-faire grid."""
    code = (fiche_code or "").strip().upper()
    fiche = RomeFiche.objects.filter(code=code).first() if re.fullmatch(r"[A-Z]\d{4}", code) else None
    if fiche is None:
        raise NotFound(_("Fiche métier ROME introuvable."), code="unknown_rome_code")
    codes = {kind: grid_code(fiche.code, kind) for kind in KINDS}
    grids = {g.code: g for g in Grid.objects.filter(code__in=codes.values())}
    missing = [kind for kind, code in codes.items() if code not in grids]
    if missing:
        links = list(RomeFicheSkill.objects.filter(fiche=fiche, kind__in=missing)
                     .select_related("skill").order_by("-core", "skill__label"))
        for kind in missing:
            items = [link for link in links if link.kind == kind]
            if not items:
                continue
            try:
                with transaction.atomic():
                    grid = Grid.objects.create(
                        code=codes[kind], kind=KINDS[kind][1],
                        name=f"{fiche.label} : {SkillKind(kind).label.lower()}"[:160],
                        description=_("Compétences de la fiche métier ROME %(code)s « %(label)s » "
                                      "(France Travail, ROME 4.0).") % {"code": fiche.code, "label": fiche.label},
                        rome_code=fiche.code, rome_label=fiche.label[:200])
                    GridItem.objects.bulk_create([
                        GridItem(grid=grid, code=str(link.skill_id), rome_code=str(link.skill_id),
                                 label=link.skill.label[:200], position=n,
                                 group="coeur" if link.core else "")
                        for n, link in enumerate(items)])
            except IntegrityError:  # made at the same time by another request
                grid = Grid.objects.get(code=codes[kind])
            grids[grid.code] = grid
    return {kind: grids[code] for kind, code in codes.items() if code in grids}
