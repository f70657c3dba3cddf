"""Pages of jobs and matching (namespace "jobs", included at the site root)."""

from django.urls import path

import passeport.web.pro.urls  # noqa: F401 - registers the <public_id:…> converter

from . import views

app_name = "jobs"

P = "pro/personnes/<public_id:public_id>/"

urlpatterns = [
    path("pro/emplois/", views.offers, name="offers"),
    path("pro/emplois/metiers/", views.appellation_suggestions, name="appellation_suggestions"),
    path("pro/emplois/nouvelle/", views.offer_create_view, name="offer_create"),
    path("pro/emplois/<int:pk>/", views.offer_detail, name="offer_detail"),
    path("pro/emplois/<int:pk>/competences/", views.offer_skills, name="offer_skills"),
    path("pro/emplois/<int:pk>/fermer/", views.offer_close, name="offer_close"),
    path("pro/emplois/employeur/", views.employer, name="employer"),
    path("pro/emplois/candidatures/", views.applications, name="applications"),
    path("pro/emplois/candidatures/<int:pk>/reponse/", views.answer, name="answer"),
    path("pro/emplois/immersions/<int:pk>/", views.immersion_detail, name="immersion_detail"),
    path(P + "emplois/", views.person_jobs, name="person_jobs"),
    path(P + "emplois/profil/", views.person_profile, name="person_profile"),
    path(P + "emplois/proposer/<int:offer_pk>/", views.propose, name="propose"),
    path(P + "immersions/", views.person_immersions, name="person_immersions"),
    path("mon-passeport/emplois/", views.my_jobs, name="me"),
]
