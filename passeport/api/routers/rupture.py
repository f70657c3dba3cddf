"""API of the rupture app."""

from ninja import Router

router = Router()
