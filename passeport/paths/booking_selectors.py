"""Reads of the booking invitations. The professional reads a path's invitations after
`path_get_for` (consent check and audit); the person reads only their own; the link page
reads one invitation by its token, and shows only the organisation, the slots and the
motive."""

from __future__ import annotations

from django.db.models import Prefetch, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from passeport.core.actor import Actor
from passeport.core.crypto import token_hash
from passeport.core.errors import NotFound

from .enums import BookingStatus
from .models import BookingInvitation, BookingSlot, Path


def _with_slots(qs: QuerySet[BookingInvitation]) -> QuerySet[BookingInvitation]:
    return qs.select_related("organisation", "referent__user", "chosen_slot").prefetch_related(
        Prefetch("slots", queryset=BookingSlot.objects.order_by("starts_at", "id")))


def invitations_of_path(path: Path) -> list[BookingInvitation]:
    """All invitations of a path, newest first (the caller has read the path)."""
    return list(_with_slots(path.booking_invitations.all()))


def invitations_unanswered(path: Path) -> list[BookingInvitation]:
    """Pending invitations of the path whose deadline has passed."""
    return list(_with_slots(path.booking_invitations.unanswered()))


def invitations_open_for_person(path: Path | None) -> list[BookingInvitation]:
    """What the person can still answer in their space."""
    if path is None:
        return []
    return list(_with_slots(path.booking_invitations.pending()
                            .filter(answer_by__gte=timezone.localdate())))


def invitation_get_for_person(actor: Actor, pk: int) -> BookingInvitation:
    """One invitation of the person's own passport, else NotFound."""
    invitation = (_with_slots(BookingInvitation.objects.filter(pk=pk))
                  .select_related("path__person").first())
    if (invitation is None or actor.user is None or actor.membership is not None
            or invitation.path.person.user_id != actor.user.pk):
        raise NotFound(_("Invitation introuvable."))
    return invitation


def invitation_get_for_path(path: Path, pk: int) -> BookingInvitation:
    invitation = _with_slots(path.booking_invitations.filter(pk=pk)).first()
    if invitation is None:
        raise NotFound(_("Invitation introuvable."))
    return invitation


def invitation_for_link(raw_token: str) -> BookingInvitation:
    """The invitation of a single-use link (the invitation's or its reminder's), while it
    can be answered, else NotFound."""
    digest = token_hash(raw_token or "")
    invitation = (_with_slots(BookingInvitation.objects.filter(
        Q(token_hash=digest) | Q(reminder_token_hash=digest),
        token_used_at__isnull=True, status=BookingStatus.PENDING)).first())
    if invitation is None or invitation.is_expired:
        raise NotFound(_("Ce lien n'est plus valable."), code="link_invalid")
    return invitation
