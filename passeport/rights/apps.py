from django.apps import AppConfig


class RightsConfig(AppConfig):
    name = "passeport.rights"
    label = "rights"
