from django.contrib import admin

from .models import OidcIdentity, OrganisationSecurity, RecoveryCodeDevice


@admin.register(OrganisationSecurity)
class OrganisationSecurityAdmin(admin.ModelAdmin):
    list_display = ("organisation", "require_two_factor", "updated_at")
    readonly_fields = ("updated_at", "updated_by")


@admin.register(OidcIdentity)
class OidcIdentityAdmin(admin.ModelAdmin):
    """Unlink a provider's identity (delete the row): the next login asks again."""

    list_display = ("user", "provider", "subject", "created_at", "last_login_at")
    list_filter = ("provider",)
    search_fields = ("user__email", "subject")
    readonly_fields = ("provider", "subject", "user", "created_at", "last_login_at")


@admin.register(RecoveryCodeDevice)
class RecoveryCodeDeviceAdmin(admin.ModelAdmin):
    """The codes themselves are hashed and never shown; deleting the device revokes them."""

    list_display = ("user", "name", "confirmed")
    search_fields = ("user__email",)
    readonly_fields = ("user", "name", "confirmed")
