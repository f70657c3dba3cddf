from django.urls import path

from passeport.web.pro import urls as _pro_urls  # noqa: F401  (registers the public_id converter)

from . import views

P = "pro/personnes/<public_id:public_id>/rendez-vous/"

urlpatterns = [
    path(P, views.pro_list, name="pro_list"),
    path(P + "inviter/", views.pro_invite, name="pro_invite"),
    path(P + "<int:pk>/annuler/", views.pro_cancel, name="pro_cancel"),
    path("mon-passeport/rendez-vous/<int:pk>/", views.me_invitation, name="me_invitation"),
    path("mon-passeport/rendez-vous/<int:pk>/aucun/", views.me_decline, name="me_decline"),
    path("rendez-vous/<str:token>/", views.link, name="link"),
    path("rendez-vous/<str:token>/aucun/", views.link_decline, name="link_decline"),
]
