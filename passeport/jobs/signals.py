"""Signals of the jobs app, for the apps above it.

- `immersion_assessed`: the host employer recorded the assessment of an immersion
  (PMSMP). Sent inside the transaction of `immersion_assess` with `sender=Immersion`,
  `immersion` (its `person`, `employer`, `appellation`, dates and assessment fields are
  set), `actor` (the employer's professional) and `skill_levels` ({ROME skill code_ogr:
  level 1-4}, the skills the employer saw and how well). The skills app turns it into the
  employer's evaluations on the fiche métier's ROME grids.
"""

from django.dispatch import Signal

immersion_assessed = Signal()
