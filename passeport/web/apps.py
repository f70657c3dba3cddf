from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "passeport.web"
    label = "web"
