"""Login throttling backend (django-axes), first in AUTHENTICATION_BACKENDS."""

from __future__ import annotations

from axes.backends import AxesStandaloneBackend


class ThrottlingBackend(AxesStandaloneBackend):
    """Refuses a locked-out login before the password is checked. Every web login (the
    login page, the API) passes its request; an authentication without a request (a
    script, the test client's `login()`) has no address or attempt to count, so it is left
    to the next backend instead of failing."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)
