"""Pages of interop (included at the site root by passeport/web/urls.py)."""

from django.urls import path

from . import views

app_name = "interop"

urlpatterns = [
    path("pro/structure/webhooks/", views.webhooks, name="webhooks"),
    path("pro/structure/webhooks/<int:pk>/", views.webhook_detail, name="webhook_detail"),
    path("pro/structure/webhooks/<int:pk>/arreter/", views.webhook_disable,
         name="webhook_disable"),
    path("pro/structure/importer-un-passeport/", views.bundle_import_upload,
         name="bundle_import"),
    path("pro/structure/importer-un-passeport/confirmer/", views.bundle_import_confirm,
         name="bundle_import_confirm"),
    path("mon-passeport/emporter/passeport.json", views.my_bundle_json, name="my_bundle_json"),
    path("mon-passeport/emporter/passeport.pdf", views.my_bundle_pdf, name="my_bundle_pdf"),
]
