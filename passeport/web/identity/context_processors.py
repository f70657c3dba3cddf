from passeport.identity.selectors import oidc_providers_enabled


def oidc_providers(request):
    """The configured OpenID Connect providers, for the login and invitation pages."""
    return {"oidc_providers": oidc_providers_enabled()}
