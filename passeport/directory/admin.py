"""The directory's reference data in the Django admin (read-mostly). Orientations hold
personal data: they are read through the pages and the API only, where access is checked
and audited, never through the admin."""

from django.contrib import admin

from .models import Commune, Service, Structure


@admin.register(Commune)
class CommuneAdmin(admin.ModelAdmin):
    list_display = ["code_insee", "name", "postal_codes", "departement", "population"]
    search_fields = ["code_insee", "name_normalized", "postal_codes"]
    list_filter = ["kind", "region"]


@admin.register(Structure)
class StructureAdmin(admin.ModelAdmin):
    list_display = ["nom", "source", "di_id", "commune", "organisation", "date_maj"]
    search_fields = ["nom", "di_id", "siret"]
    list_filter = ["source"]
    raw_id_fields = ["organisation"]


@admin.register(Service)
class ServiceAdmin(admin.ModelAdmin):
    list_display = ["nom", "structure", "source", "commune", "is_published", "date_maj"]
    search_fields = ["nom", "di_id"]
    list_filter = ["source", "is_published"]
    raw_id_fields = ["structure"]
    readonly_fields = ["geo_lat", "geo_lon", "tags"]
    exclude = ["search_text", "name_normalized", "content_hash"]
