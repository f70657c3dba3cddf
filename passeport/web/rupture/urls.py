"""Pages of the rupture app (included at the site root by passeport/web/urls.py)."""

from django.urls import path

from . import views

app_name = "rupture"

urlpatterns = [
    path("pro/risques/", views.caseload, name="caseload"),
    path("pro/risques/preferences/", views.preferences, name="preferences"),
    path("pro/risques/reglages/", views.organisation_settings, name="settings"),
    path("pro/risques/<str:public_id>/", views.person, name="person"),
    path("pro/risques/<str:public_id>/alertes/<int:alert_id>/", views.alert_handle_view,
         name="alert_handle"),
    path("mon-passeport/points-d-attention/", views.my_signals, name="me"),
]
