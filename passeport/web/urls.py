from django.contrib.auth import views as auth_views
from django.urls import include, path

from . import views

urlpatterns = [
    path("", views.home, name="home"),
    path("connexion/", views.LoginView.as_view(), name="login"),
    path("deconnexion/", auth_views.LogoutView.as_view(), name="logout"),
    # Forgotten password: a single-use link by e-mail (Django's signed, expiring tokens;
    # PASSWORD_RESET_TIMEOUT), the same answer whether the address is known or not.
    path("connexion/mot-de-passe-oublie/", auth_views.PasswordResetView.as_view(
        subject_template_name="registration/password_reset_subject.txt",
        email_template_name="registration/password_reset_email.txt"), name="password_reset"),
    path("connexion/mot-de-passe-oublie/envoye/", auth_views.PasswordResetDoneView.as_view(),
         name="password_reset_done"),
    path("connexion/nouveau-mot-de-passe/<uidb64>/<token>/", auth_views.PasswordResetConfirmView.as_view(),
         name="password_reset_confirm"),
    path("connexion/nouveau-mot-de-passe/termine/", auth_views.PasswordResetCompleteView.as_view(),
         name="password_reset_complete"),
    path("structure/changer/", views.switch_organisation, name="switch_organisation"),
    path("pro/", include(("passeport.web.pro.urls", "pro"))),
    path("", include(("passeport.web.directory.urls", "directory"))),
    path("", include(("passeport.web.vault.urls", "vault"))),
    path("", include(("passeport.web.rights.urls", "rights"))),
    path("", include(("passeport.web.reporting.urls", "reporting"))),
    path("", include(("passeport.web.rupture.urls", "rupture"))),
    path("", include(("passeport.web.interop.urls", "interop"))),
    path("", include(("passeport.web.jobs.urls", "jobs"))),
    path("", include(("passeport.web.skills.urls", "skills"))),
    path("", include(("passeport.web.booking.urls", "booking"))),
    path("", include(("passeport.web.me.urls", "me"))),
    path("", include(("passeport.web.identity.urls", "identity"))),
]
