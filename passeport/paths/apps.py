from django.apps import AppConfig


class PathsConfig(AppConfig):
    name = "passeport.paths"
    label = "paths"
    verbose_name = "Parcours"
