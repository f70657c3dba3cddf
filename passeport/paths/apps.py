from django.apps import AppConfig


class PathsConfig(AppConfig):
    name = "passeport.paths"
    label = "paths"
    verbose_name = "Parcours"

    def ready(self) -> None:
        from passeport.paths import receivers  # noqa: F401  (connects the signal receivers)
