"""Identity: how people log in beyond a password. Two-factor authentication for
professionals (TOTP and hashed recovery codes, django-otp devices, an organisation
setting that makes it mandatory) and OpenID Connect logins (ProConnect-compatible for
professionals, FranceConnect-compatible for persons, linked to a passport only after a
confirmation step). Sits above people (persons, invitations) and core (users, members)."""
