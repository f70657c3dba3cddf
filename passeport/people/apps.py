from django.apps import AppConfig


class PeopleConfig(AppConfig):
    name = "passeport.people"
    label = "people"
    verbose_name = "Personnes"
