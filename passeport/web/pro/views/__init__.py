"""Views of the professional pages: caseload, persons, the passport, the organisation."""
