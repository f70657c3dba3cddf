from django.apps import AppConfig


class JobsConfig(AppConfig):
    name = "passeport.jobs"
    label = "jobs"
    verbose_name = "Emplois, immersions et mise en relation"
