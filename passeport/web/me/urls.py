from django.urls import path

from . import views

urlpatterns = [
    path("mon-passeport/", views.home, name="home"),
]
