from django.conf import settings


def branding(request):
    return {
        "BRAND": {
            "site_title": settings.PASSEPORT_SITE_TITLE,
            "site_tagline": settings.PASSEPORT_SITE_TAGLINE,
            "operator_brand": settings.PASSEPORT_OPERATOR_BRAND,
            "operator_logo_url": settings.PASSEPORT_OPERATOR_LOGO_URL,
            "operator_logo_alt": settings.PASSEPORT_OPERATOR_LOGO_ALT,
            "use_marianne": settings.PASSEPORT_USE_DSFR_MARIANNE,
        },
        "active_membership": getattr(request, "membership", None),
    }
