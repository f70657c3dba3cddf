from django.apps import AppConfig


class DirectoryConfig(AppConfig):
    name = "passeport.directory"
    label = "directory"
