from django.apps import AppConfig


class InteropConfig(AppConfig):
    name = "passeport.interop"
    label = "interop"
    verbose_name = "Interopérabilité"

    def ready(self) -> None:
        from . import receivers  # noqa: F401  (connects the signal receivers)
