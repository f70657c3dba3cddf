"""Who is acting: a professional in one of their organisations, an API token of an
organisation, the person themselves, or the system. Every service takes one."""

from __future__ import annotations

from dataclasses import dataclass

from .models import ApiToken, Membership, Organisation, User


@dataclass(frozen=True)
class Actor:
    user: User | None = None
    membership: Membership | None = None
    api_token: ApiToken | None = None
    channel: str = "web"  # web | api | system

    @property
    def organisation(self) -> Organisation | None:
        if self.membership is not None:
            return self.membership.organisation
        if self.api_token is not None:
            return self.api_token.organisation
        return None

    @property
    def organisation_id(self) -> int | None:
        org = self.organisation
        return org.pk if org else None

    @property
    def sees_whole_caseload(self) -> bool:
        """Managers, administrators and organisation API tokens see the whole caseload."""
        if self.api_token is not None:
            return True
        return bool(self.membership and self.membership.sees_whole_caseload)

    @property
    def label(self) -> str:
        if self.api_token is not None:
            return f"API « {self.api_token.name} » ({self.api_token.organisation})"
        if self.user is not None and self.membership is not None:
            return f"{self.user.get_full_name() or self.user.email} ({self.membership.organisation})"
        if self.user is not None:
            return self.user.get_full_name() or self.user.email
        return "Passeport"

    @classmethod
    def system(cls) -> Actor:
        return cls(channel="system")
