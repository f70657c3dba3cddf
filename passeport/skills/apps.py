from django.apps import AppConfig


class SkillsConfig(AppConfig):
    name = "passeport.skills"
    label = "skills"
    verbose_name = "Compétences et badges"

    def ready(self) -> None:
        from . import receivers  # noqa: F401 - connects the receivers
