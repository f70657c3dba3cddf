"""Pages of the reporting app (included at the site root by passeport/web/urls.py)."""

from django.urls import path

from . import views

urlpatterns = [
    path("pro/fse/", views.operation_list, name="operations"),
    path("pro/fse/operations/<int:pk>/", views.operation_detail, name="operation"),
    path("pro/fse/operations/<int:pk>/modifier/", views.operation_edit, name="operation_edit"),
    path("pro/fse/operations/<int:pk>/supprimer/", views.operation_delete_view, name="operation_delete"),
    path("pro/fse/operations/<int:pk>/cloturer/", views.operation_close, name="operation_close"),
    path("pro/fse/operations/<int:pk>/inscrire/", views.participation_enrol_view, name="enrol"),
    path("pro/fse/operations/<int:pk>/qualite/", views.quality, name="quality"),
    path("pro/fse/operations/<int:pk>/export/<str:fmt>", views.export, name="export"),
    path("pro/fse/participations/<int:pk>/", views.participation_edit, name="participation"),
    path("pro/fse/suivi-six-mois/", views.followups, name="followups"),
    path("pro/fse/participations/<int:pk>/suivi/", views.followup_answer, name="followup_answer"),
]
urlpatterns += [
    path("pro/fse/impact/", views.impact, name="impact"),
    path("fse/impact/", views.public_impact, name="public_impact"),
]
