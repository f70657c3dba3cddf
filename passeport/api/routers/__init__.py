"""One router per domain."""


def register(api) -> None:
    from . import directory, jobs, organisations, paths, persons, reporting, rights, rupture, vault
    from .access_requests import router as access_requests_router
    from .booking import router as booking_router
    from .bundles import router as bundles_router
    from .skills import router as skills_router
    from .webhooks import router as webhooks_router

    api.add_router("/organisations", organisations.router, tags=["Structures"])
    api.add_router("/", persons.router, tags=["Personnes et consentements"])
    api.add_router("/access-requests", access_requests_router, tags=["Demandes d'accès"])
    api.add_router("/", paths.router, tags=["Parcours"])
    api.add_router("/", booking_router, tags=["Rendez-vous choisis par la personne"])
    api.add_router("/directory", directory.router, tags=["Annuaire et orientations"])
    api.add_router("/vault", vault.router, tags=["Coffre-fort numérique"])
    api.add_router("/rights", rights.router, tags=["Droits"])
    api.add_router("/reporting", reporting.router, tags=["Suivi FSE+"])
    api.add_router("/rupture", rupture.router, tags=["Risque de rupture"])
    api.add_router("/webhooks", webhooks_router, tags=["Webhooks"])
    api.add_router("/", bundles_router, tags=["Portabilité du passeport"])
    api.add_router("/jobs", jobs.router, tags=["Emplois, immersions et mise en relation"])
    api.add_router("/skills", skills_router, tags=["Compétences et badges"])
