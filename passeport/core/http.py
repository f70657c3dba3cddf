"""Outbound HTTP to addresses that users typed (webhook receivers, badge issuers).

Through requests-hardened: the host name is resolved once, the address is refused when it
is private, loopback (unless allowed), link-local, multicast, CG-NAT or another reserved
range, and the connection goes to the very address that was checked (TLS still checks the
host name), so a name that resolves to a public address at check time and to an internal
one at connect time (DNS rebinding) cannot reach the operator's network. Redirects are
never followed.
"""

from __future__ import annotations

from django.conf import settings
from requests_hardened import Config, Manager
from requests_hardened.ip_filter import InvalidIPAddress

__all__ = ["InvalidIPAddress", "outbound"]


def outbound(*, timeout: float, allow_private: bool = False) -> Manager:
    """A requests manager for one kind of outbound call. `allow_private` lifts the filter
    (an operator whose receivers sit in its own network says so in the environment);
    loopback is allowed outside production (`PASSEPORT_OUTBOUND_ALLOW_LOOPBACK`: tests, a
    receiver on the same machine)."""
    return Manager(Config(
        ip_filter_enable=not allow_private,
        ip_filter_allow_loopback_ips=settings.PASSEPORT_OUTBOUND_ALLOW_LOOPBACK,
        never_redirect=True,
        default_timeout=(timeout, timeout),
        user_agent_override="Passeport/1",
    ))
