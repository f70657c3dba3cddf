"""Pages for professionals: the caseload, creating a person, the passport of a person
and the organisation (members, API tokens)."""
