from django.apps import AppConfig


class RuptureConfig(AppConfig):
    name = "passeport.rupture"
    label = "rupture"
    verbose_name = "Risque de rupture"

    def ready(self):
        from . import receivers  # noqa: F401
