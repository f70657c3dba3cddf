"""People: the persons accompanied, their single public identifier, identity (NIR
encrypted), de-duplication, their consents to organisations, and invitations to their
personal space. Consent is checked through this app's selectors only."""
