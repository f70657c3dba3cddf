"""Counters of the professional's navigation, computed only when a page shows them."""

from __future__ import annotations

from django.utils.functional import cached_property

from passeport.people.selectors import access_requests_new_answers_count
from passeport.web.context import actor_for


class ProCounters:
    """Read lazily (once, when the navigation reads it): a page without the navigation
    (a fragment, a download) costs no query."""

    def __init__(self, request):
        self.request = request

    @cached_property
    def access_answers(self) -> int:
        return access_requests_new_answers_count(actor_for(self.request))


def pro_counters(request):
    if getattr(request, "membership", None) is None:
        return {}
    return {"pro_counters": ProCounters(request)}
