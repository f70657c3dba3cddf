"""The state machine of an orientation, in one place.

    sent ──accept──────────▶ accepted
     │  ──refuse──────────▶ refused
     │  ──request_info────▶ info_requested ──provide_info──▶ sent
     │  ──cancel──────────▶ cancelled        │ ──accept / refuse (the partner got the
     │  ──expire (system)─▶ expired          │   answer another way) ──▶ accepted / refused
                                             │ ──cancel──▶ cancelled
                                             │ ──expire (system)──▶ expired

Each transition is made by one side: the partner (the organisation that offers the
service), the sender (the référent's organisation) or the system (expiry). accepted,
refused, expired and cancelled are final.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext as _

from passeport.core.errors import Conflict, Forbidden

from .enums import OrientationAction as A
from .enums import OrientationStatus as S

PARTNER, SENDER, SYSTEM = "partner", "sender", "system"


@dataclass(frozen=True)
class Transition:
    action: str
    source: str
    target: str
    side: str


TRANSITIONS: tuple[Transition, ...] = (
    Transition(A.ACCEPT, S.SENT, S.ACCEPTED, PARTNER),
    Transition(A.REFUSE, S.SENT, S.REFUSED, PARTNER),
    Transition(A.REQUEST_INFO, S.SENT, S.INFO_REQUESTED, PARTNER),
    Transition(A.CANCEL, S.SENT, S.CANCELLED, SENDER),
    Transition(A.EXPIRE, S.SENT, S.EXPIRED, SYSTEM),
    Transition(A.PROVIDE_INFO, S.INFO_REQUESTED, S.SENT, SENDER),
    Transition(A.ACCEPT, S.INFO_REQUESTED, S.ACCEPTED, PARTNER),
    Transition(A.REFUSE, S.INFO_REQUESTED, S.REFUSED, PARTNER),
    Transition(A.CANCEL, S.INFO_REQUESTED, S.CANCELLED, SENDER),
    Transition(A.EXPIRE, S.INFO_REQUESTED, S.EXPIRED, SYSTEM),
)
_BY_KEY = {(t.source, t.action): t for t in TRANSITIONS}
FINAL = frozenset({S.ACCEPTED, S.REFUSED, S.EXPIRED, S.CANCELLED})


class InvalidTransition(Conflict):
    """409 `invalid_transition`: the action is not possible from the current status."""

    code = "invalid_transition"


class WrongSide(Forbidden):
    """403 `not_your_side`: the action belongs to the other organisation."""

    code = "not_your_side"


def allowed_actions(status: str, side: str | None = None) -> list[str]:
    return [t.action for t in TRANSITIONS
            if t.source == status and (side is None or t.side == side)]


def transition(status: str, action: str, side: str) -> Transition:
    """The transition of `action` from `status` made by `side`, or a clear error."""
    found = _BY_KEY.get((status, action))
    if found is None:
        raise InvalidTransition(
            _("Impossible : cette orientation est « %(status)s », elle ne peut pas être "
              "« %(action)s ».") % {"status": S(status).label, "action": A(action).label.lower()},
            details={"status": status, "action": action,
                     "allowed_actions": allowed_actions(status)},
        )
    if found.side != side:
        who = {PARTNER: _("la structure partenaire"), SENDER: _("la structure qui oriente"),
               SYSTEM: _("Passeport")}[found.side]
        raise WrongSide(_("Seule %(who)s peut faire cela.") % {"who": who},
                        details={"status": status, "action": action, "side": found.side})
    return found
