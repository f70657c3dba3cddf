from django.urls import path, register_converter

from .views import access_requests, caseload, organisation, passport, persons


class PublicIdConverter:
    """A person's public identifier: XXXX-XXXX-XXXX (Crockford's base 32)."""

    regex = r"[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


register_converter(PublicIdConverter, "public_id")

P = "personnes/<public_id:public_id>/"

urlpatterns = [
    path("", caseload.caseload, name="caseload"),
    path("personnes/nouvelle/", persons.person_create, name="person_create"),
    path(P, passport.passport, name="passport"),
    path(P + "identite/", persons.person_edit, name="person_edit"),
    path(P + "situation/", passport.situation, name="situation"),
    path(P + "diagnostic/", passport.diagnostic, name="diagnostic"),
    path(P + "objectifs/", passport.objective_add_view, name="objective_add"),
    path(P + "objectifs/<int:pk>/statut/", passport.objective_status, name="objective_status"),
    path(P + "actions/nouvelle/", passport.action_add_view, name="action_add"),
    path(P + "actions/<int:pk>/statut/", passport.action_status, name="action_status"),
    path(P + "historique/", passport.event_add_view, name="event_add"),
    path(P + "historique/<int:pk>/resultat/", passport.appointment_outcome,
         name="appointment_outcome"),
    path(P + "historique/<int:pk>/agenda.ics", passport.appointment_calendar,
         name="appointment_calendar"),
    path(P + "heures/", passport.work_hours_add_view, name="work_hours_add"),
    path(P + "referent/", passport.referent_change, name="referent"),
    path(P + "pause/", passport.path_pause, name="path_pause"),
    path(P + "cloture/", passport.path_close, name="path_close"),
    path(P + "parcours/nouveau/", passport.path_open_view, name="path_open"),
    path(P + "accords/<int:pk>/retrait/", passport.consent_withdraw_view, name="consent_withdraw"),
    path(P + "invitation/", passport.invite, name="invite"),
    path("demandes-acces/", access_requests.access_requests, name="access_requests"),
    path("demandes-acces/nouvelle/", access_requests.access_request_create_view,
         name="access_request_create"),
    path("demandes-acces/<int:pk>/annuler/", access_requests.access_request_cancel_view,
         name="access_request_cancel"),
    path("structure/", organisation.organisation, name="organisation"),
    path("structure/membres/nouveau/", organisation.member_add_view, name="member_add"),
    path("structure/membres/<int:pk>/", organisation.member_update, name="member_update"),
    path("structure/jetons/", organisation.token_create, name="token_create"),
    path("structure/jetons/<int:pk>/revoquer/", organisation.token_revoke, name="token_revoke"),
]
