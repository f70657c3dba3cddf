from django.urls import path

from . import me_situation, views

# The "public_id" converter is registered by passeport.web.pro.urls, included first.
P = "pro/personnes/<public_id:public_id>/droits/"

urlpatterns = [
    path(P, views.pro_page, name="pro"),
    path(P + "resultat/", views.pro_result, name="pro_result"),
    path(P + "estimation/", views.pro_estimate, name="pro_estimate"),
    path(P + "<int:check_id>/action/<str:code>/", views.pro_flag_action, name="pro_flag_action"),
    path("pro/droits/reperage/", views.screening_list, name="screenings"),
    path("pro/droits/reperage/<int:pk>/", views.screening_detail, name="screening"),
    path("mon-passeport/droits/", views.me_page, name="me"),
    path("mon-passeport/droits/resultat/", views.me_result, name="me_result"),
    path("mon-passeport/droits/recues/", views.me_received, name="me_received"),
    path("mon-passeport/droits/actualiser/", views.me_estimate, name="me_estimate"),
    path("mon-passeport/droits/ma-situation/", me_situation.situation, name="me_situation"),
    path("mon-passeport/droits/ma-situation/foyer/", me_situation.household,
         name="me_household"),
    path("mon-passeport/droits/ma-situation/logement/", me_situation.housing,
         name="me_housing"),
    path("mon-passeport/droits/ma-situation/ressources/", me_situation.resources,
         name="me_resources"),
]
