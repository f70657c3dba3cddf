from django.apps import AppConfig


class ReportingConfig(AppConfig):
    name = "passeport.reporting"
    label = "reporting"
    verbose_name = "Suivi FSE+"
