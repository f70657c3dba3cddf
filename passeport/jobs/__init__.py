"""Jobs, immersions and matching: the ROME 4.0 referential (fiches métiers, appellations,
skills, work contexts, mobility links), employers, job and immersion (PMSMP) offers, the
candidate profile derived from the passport, explainable matching both ways, proposals
of a person to an employer with the employer's answer, and immersions with their
assessment. See docs/jobs.md."""
