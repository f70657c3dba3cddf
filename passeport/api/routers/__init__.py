"""One router per domain."""


def register(api) -> None:
    from . import organisations

    api.add_router("/organisations", organisations.router, tags=["Structures"])
