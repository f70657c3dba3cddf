from django.apps import AppConfig


class VaultConfig(AppConfig):
    name = "passeport.vault"
    label = "vault"
    verbose_name = "Coffre-fort numérique"

    def ready(self) -> None:
        from . import checks  # noqa: F401 - registers the system checks
