"""Pages of the person accompanied (namespace "me"). The invitation URL is built by
people.services.invitation_create as `{base_url}/invitation/<token>/`."""

from django.urls import path

from . import views

urlpatterns = [
    path("invitation/<str:token>/", views.invitation, name="invitation"),
    path("mon-passeport/", views.home, name="home"),
    path("mon-passeport/objectifs/proposer/", views.objective_propose, name="objective_propose"),
    path("mon-passeport/actions/proposer/", views.action_propose, name="action_propose"),
    path("mon-passeport/actions/<int:pk>/faite/", views.action_done, name="action_done"),
    path("mon-passeport/actions/<int:pk>/a-refaire/", views.action_undo, name="action_undo"),
    path("mon-passeport/message/", views.message, name="message"),
    path("mon-passeport/historique/", views.history, name="history"),
    path("mon-passeport/rendez-vous/<int:pk>/agenda.ics", views.appointment_calendar,
         name="appointment_calendar"),
    path("mon-passeport/acces/", views.access, name="access"),
    path("mon-passeport/acces/<int:pk>/retirer/", views.consent_withdraw_view,
         name="consent_withdraw"),
    path("mon-passeport/acces/demandes/<int:pk>/accepter/", views.access_request_accept_view,
         name="access_request_accept"),
    path("mon-passeport/acces/demandes/<int:pk>/refuser/", views.access_request_refuse_view,
         name="access_request_refuse"),
]
