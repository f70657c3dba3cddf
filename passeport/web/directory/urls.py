"""URLs of the directory, namespace "directory" (included at the site root)."""

from django.urls import path

import passeport.web.pro.urls  # noqa: F401 - registers the <public_id:…> converter

from .views import offer, orientations, search

P = "pro/personnes/<public_id:public_id>/"

urlpatterns = [
    # Search, from anywhere or from a passport (?personne=…).
    path("pro/annuaire/", search.search, name="search"),
    path("pro/annuaire/communes/", search.commune_suggestions, name="commune_suggestions"),
    path("pro/annuaire/services/<int:pk>/", search.service_detail, name="service_detail"),
    path("pro/annuaire/export/", offer.export, name="export"),
    path("pro/annuaire/import/", offer.import_view, name="import"),
    # From a passport: the services that answer the freins, orienting, the orientations.
    path(P + "services/", search.person_services, name="person_services"),
    path(P + "orientations/", orientations.person_orientations, name="person_orientations"),
    path(P + "orientations/nouvelle/<int:service_pk>/", orientations.orientation_create_view,
         name="orientation_create"),
    # Orientations sent and received, and their answers.
    path("pro/orientations/", orientations.orientations, name="orientations"),
    path("pro/orientations/<int:pk>/", orientations.orientation_detail,
         name="orientation_detail"),
    *[path(f"pro/orientations/<int:pk>/{word}/", orientations.orientation_transition,
           {"word": word}, name=f"orientation_{action}")
      for word, (action, *_rest) in orientations.ACTIONS.items()],
    # The organisation's own offer.
    path("pro/structure/offre/", offer.offer, name="offer"),
    path("pro/structure/offre/structures/nouvelle/", offer.structure_edit,
         name="structure_create"),
    path("pro/structure/offre/structures/<int:pk>/", offer.structure_edit, name="structure_edit"),
    path("pro/structure/offre/services/nouveau/", offer.service_edit, name="service_create"),
    path("pro/structure/offre/services/<int:pk>/", offer.service_edit, name="service_edit"),
    path("pro/structure/offre/services/<int:pk>/visibilite/", offer.service_publish,
         name="service_publish"),
    # The person's own page.
    path("mon-passeport/orientations/", orientations.my_orientations, name="my_orientations"),
]
