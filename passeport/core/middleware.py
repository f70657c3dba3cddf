"""Attach the professional's active membership (their current organisation) to the request."""

from __future__ import annotations

from .models import Membership

SESSION_KEY = "passeport_membership_id"


class ActiveMembershipMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.membership = None
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            memberships = Membership.objects.active().filter(user=user).select_related("organisation")
            wanted = request.session.get(SESSION_KEY)
            membership = None
            if wanted:
                membership = memberships.filter(pk=wanted).first()
            if membership is None:
                membership = memberships.order_by("organisation__name").first()
            request.membership = membership
        return self.get_response(request)
