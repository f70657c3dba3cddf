from django.apps import AppConfig


class SkillsConfig(AppConfig):
    name = "passeport.skills"
    label = "skills"
    verbose_name = "Compétences et badges"
