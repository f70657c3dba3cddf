from django.urls import path

from . import views

urlpatterns = [
    path("connexion/verification/", views.verify, name="verify"),
    path("connexion/double-authentification/", views.two_factor, name="two_factor"),
    path("connexion/double-authentification/codes/", views.recovery_codes, name="recovery_codes"),
    path("connexion/oidc/<str:provider>/", views.oidc_start, name="oidc_start"),
    path("connexion/oidc/<str:provider>/retour/", views.oidc_callback, name="oidc_callback"),
    path("connexion/passeport/relier/", views.person_link, name="person_link"),
    path("pro/structure/securite/", views.organisation_security_view, name="organisation_security"),
    path("pro/structure/securite/membres/<int:pk>/reinitialiser/", views.member_two_factor_reset,
         name="member_two_factor_reset"),
]
