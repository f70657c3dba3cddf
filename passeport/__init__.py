"""Passeport: the shared "passeport Parcours insertion emploi formation"."""
