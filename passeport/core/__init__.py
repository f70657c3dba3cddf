"""Core: users, organisations and their members (roles), API tokens, the audit log,
and the helpers every other app shares (text normalisation, encryption of fields)."""
