"""`manage.py load_demo`: the fictional demo territory (Pays de Brest / Cornouaille).

Idempotent: when the demo is already there (its first organisation's SIRET is the
marker) it loads nothing and prints the logins again. Refuses to run in production
unless --force. The demo password is a fixed, documented one only in DEBUG or when
--password is given; otherwise a random one is generated and printed once.
"""

from __future__ import annotations

import secrets
import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.test.utils import override_settings

from config.env import env_secret
from passeport.web.demo import SEED, demo_loaded, demo_logins, load_demo


class Command(BaseCommand):
    help = "Charge les données de démonstration (territoire fictif du Pays de Brest et de Cornouaille)."

    def add_arguments(self, parser):
        parser.add_argument("--persons", type=int, default=200,
                            help="Nombre de personnes accompagnées (200 par défaut).")
        parser.add_argument("--password", help="Mot de passe des comptes de démonstration.")
        parser.add_argument("--seed", type=int, default=SEED, help="Graine du hasard.")
        parser.add_argument("--force", action="store_true",
                            help="Autorise le chargement quand DJANGO_ENV=production.")

    def handle(self, *args, persons: int, password: str | None, seed: int, force: bool, **options):
        if settings.PRODUCTION and not force:
            raise CommandError("Refus : pas de données de démonstration en production "
                               "(DJANGO_ENV=production). Ajoutez --force si c'est voulu.")
        if persons < 1:
            raise CommandError("--persons doit être au moins 1.")
        if demo_loaded():
            self.stdout.write("Les données de démonstration sont déjà chargées : rien à faire.")
            known = password or (demo_password() if settings.DEBUG else None)
            self._print_logins(known if not password else None, already=True)
            return
        if password is None:
            password = demo_password() if settings.DEBUG else secrets.token_urlsafe(12)
        started = time.monotonic()
        # The invitation e-mail of the demo person must not be sent anywhere; the SQL of
        # the load is not kept in memory as DEBUG would (thousands of queries, slower).
        with override_settings(EMAIL_BACKEND="django.core.mail.backends.dummy.EmailBackend",
                               DEBUG=False):
            result = load_demo(persons=persons, seed=seed, password=password)
        self.stdout.write(self.style.SUCCESS(
            f"Démonstration chargée en {time.monotonic() - started:.1f} s : "
            f"{result.organisations} structures, {result.professionals} professionnels, "
            f"{result.persons} personnes accompagnées."))
        self._print_logins(password)

    def _print_logins(self, password: str | None, already: bool = False) -> None:
        self.stdout.write("Comptes de démonstration :")
        for login in demo_logins():
            where = f" — {login.organisation}" if login.organisation else ""
            self.stdout.write(f"  {login.role:<40} {login.email}  ({login.name}{where})")
        if password:
            self.stdout.write(f"  Mot de passe de tous ces comptes : {password}")
        elif already:
            self.stdout.write("  Mot de passe : celui affiché lors du premier chargement.")


def demo_password() -> str:
    """The password of the local demo accounts: PASSEPORT_DEMO_PASSWORD from the
    environment, else generated once and kept in var/ (never in the repository), so
    that `make run` prints the same password each time."""
    return env_secret("PASSEPORT_DEMO_PASSWORD", allow_local=True)
