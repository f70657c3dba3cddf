from __future__ import annotations

import secrets
from datetime import date

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from stdnum.fr import nir as stdnum_nir

from passeport.core.crypto import keyed_hash, seal, unseal
from passeport.core.models import Organisation, validate_insee_code
from passeport.core.text import normalize

from .enums import AccessRequestStatus, ConsentMethod, ConsentScope, Gender

# Crockford's base 32, without letters that are easy to confuse when read aloud.
_ID_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"


def new_public_id() -> str:
    """An opaque, URL-safe identifier that a person can read on the phone: XXXX-XXXX-XXXX."""
    raw = "".join(secrets.choice(_ID_ALPHABET) for _ in range(12))
    return f"{raw[:4]}-{raw[4:8]}-{raw[8:]}"


def as_public_id(text: str, *, number_only: bool = False) -> str | None:
    """The passport number in `text` (typed with or without dashes or spaces, in any
    case), or None when `text` is not one. In a box that takes a name or a number,
    twelve letters without dashes read as a name; `number_only` (a field that asks for
    the number) reads them as the number (about 1 number in 90 has no digit)."""
    text = (text or "").strip().upper()
    raw = "".join(ch for ch in text if ch not in " -")
    if len(raw) != 12 or any(ch not in _ID_ALPHABET for ch in raw):
        return None
    if not number_only and "-" not in text and not any(ch.isdigit() for ch in raw):
        return None  # twelve letters without dashes: rather a name
    return f"{raw[:4]}-{raw[4:8]}-{raw[8:]}"


def validate_nir(value: str) -> None:
    if not stdnum_nir.is_valid(value):
        raise ValidationError(
            _("Ce numéro de sécurité sociale n'est pas valide (13 chiffres et 2 chiffres de clé)."),
            code="invalid_nir",
        )


def validate_birth_date(value: date) -> None:
    today = timezone.localdate()
    if value > today:
        raise ValidationError(_("La date de naissance est dans le futur."), code="future_birth_date")
    if value.year < today.year - 120:
        raise ValidationError(_("La date de naissance est trop ancienne."), code="old_birth_date")


def consent_active_q(prefix: str = "", on: date | None = None) -> Q:
    on = on or timezone.localdate()
    return Q(**{
        f"{prefix}withdrawn_at__isnull": True,
        f"{prefix}valid_from__lte": on,
    }) & (Q(**{f"{prefix}valid_until__isnull": True}) | Q(**{f"{prefix}valid_until__gte": on}))


class ConsentQuerySet(models.QuerySet):
    def active(self, on: date | None = None):
        return self.filter(consent_active_q(on=on))


class PersonQuerySet(models.QuerySet):
    def with_consent(self, organisation_id: int, scope: str | None = None):
        """Persons who currently open (a scope of) their passport to the organisation."""
        consents = Consent.objects.active().filter(person=OuterRef("pk"), organisation_id=organisation_id)
        if scope is not None:
            consents = consents.filter(scope=scope)
        return self.filter(Exists(consents))

    def search(self, text: str):
        public_id = as_public_id(text)
        if public_id:  # a passport number given by the person
            return self.filter(public_id=public_id)
        words = normalize(text).split()
        qs = self
        for word in words:
            qs = qs.filter(search_name__contains=word)
        return qs


class Person(models.Model):
    """A person accompanied. `public_id` is their single identifier across organisations."""

    public_id = models.CharField(max_length=14, unique=True, default=new_public_id, editable=False)
    first_name = models.CharField(_("prénom"), max_length=100)
    last_name = models.CharField(_("nom d'usage"), max_length=100)
    birth_name = models.CharField(_("nom de naissance"), max_length=100, blank=True)
    birth_date = models.DateField(_("date de naissance"), validators=[validate_birth_date])
    birth_place = models.CharField(_("lieu de naissance"), max_length=120, blank=True)
    gender = models.CharField(_("genre"), max_length=1, choices=Gender.choices, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    phone = models.CharField(_("téléphone"), max_length=20, blank=True)
    address = models.CharField(_("adresse"), max_length=250, blank=True)
    postal_code = models.CharField(_("code postal"), max_length=5, blank=True)
    commune_insee = models.CharField(
        _("code commune INSEE"), max_length=5, blank=True, validators=[validate_insee_code]
    )
    commune_name = models.CharField(_("commune"), max_length=120, blank=True)
    nir_sealed = models.TextField(blank=True, editable=False)
    nir_hash = models.CharField(max_length=64, blank=True, db_index=True, editable=False)
    search_name = models.CharField(max_length=320, editable=False, db_index=True)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="person",
    )
    created_by_organisation = models.ForeignKey(
        Organisation, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    objects = PersonQuerySet.as_manager()

    class Meta:
        ordering = ["last_name", "first_name"]
        verbose_name = _("personne accompagnée")
        indexes = [
            models.Index(fields=["birth_date"], name="person_birth_date"),
            models.Index(fields=["last_name", "first_name"], name="person_name"),
        ]

    def __str__(self) -> str:
        return f"{self.first_name} {self.last_name}"

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}"

    @property
    def age(self) -> int:
        today = timezone.localdate()
        b = self.birth_date
        return today.year - b.year - ((today.month, today.day) < (b.month, b.day))

    # The NIR is stored sealed, with a keyed hash for de-duplication.
    @property
    def nir(self) -> str:
        return unseal(self.nir_sealed, context=f"nir:{self.public_id}") if self.nir_sealed else ""

    def set_nir(self, value: str | None) -> None:
        value = stdnum_nir.compact(value or "")
        if not value:
            self.nir_sealed = ""
            self.nir_hash = ""
            return
        validate_nir(value)
        self.nir_sealed = seal(value, context=f"nir:{self.public_id}")
        self.nir_hash = nir_hash(value)

    @property
    def nir_masked(self) -> str:
        nir = self.nir
        return f"{nir[0]} {nir[1:3]} {nir[3:5]} ••• ••• •• {nir[-2:]}" if nir else ""

    def save(self, *args, **kwargs):
        self.search_name = normalize(f"{self.last_name} {self.first_name} {self.birth_name}")
        super().save(*args, **kwargs)


def nir_hash(value: str) -> str:
    return keyed_hash(stdnum_nir.compact(value), purpose="nir")


class Consent(models.Model):
    """A person opens one scope of their passport to one organisation, for a purpose,
    from a date and optionally until a date. Withdrawable at any time."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="consents")
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="consents")
    scope = models.CharField(_("partie du passeport"), max_length=16, choices=ConsentScope.choices)
    purpose = models.CharField(_("pour quoi faire"), max_length=250)
    valid_from = models.DateField(_("à partir du"), default=timezone.localdate)
    valid_until = models.DateField(_("jusqu'au"), null=True, blank=True)
    method = models.CharField(_("comment l'accord a été recueilli"), max_length=16, choices=ConsentMethod.choices)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    recorded_at = models.DateTimeField(default=timezone.now)
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    objects = ConsentQuerySet.as_manager()

    class Meta:
        ordering = ["-recorded_at"]
        indexes = [
            models.Index(fields=["organisation", "scope", "person"], name="consent_org_scope_person"),
            models.Index(fields=["person", "organisation"], name="consent_person_org"),
            # Active consents only, with their dates: "which persons opened their path to
            # this organisation today" (the caseload) is read from the index alone.
            models.Index(fields=["organisation", "scope", "person", "valid_from", "valid_until"],
                         condition=Q(withdrawn_at__isnull=True), name="consent_active_org_scope"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_until__isnull=True) | Q(valid_until__gte=models.F("valid_from")),
                name="consent_until_after_from",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person} → {self.organisation} : {self.get_scope_display()}"

    @property
    def is_active(self) -> bool:
        today = timezone.localdate()
        return (
            self.withdrawn_at is None
            and self.valid_from <= today
            and (self.valid_until is None or self.valid_until >= today)
        )


class Invitation(models.Model):
    """A link sent by the référent so that the person sets their own password."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="invitations")
    email = models.EmailField()
    token_hash = models.CharField(max_length=64, unique=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    organisation = models.ForeignKey(Organisation, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"Invitation de {self.person} ({self.email})"

    @property
    def is_usable(self) -> bool:
        return self.used_at is None and self.expires_at > timezone.now()


class AccessRequestQuerySet(models.QuerySet):
    def pending(self, now=None):
        """Requests still waiting for the person's answer (not expired)."""
        return self.filter(status=AccessRequestStatus.PENDING, expires_at__gt=now or timezone.now())

    def with_consent_open(self):
        """Annotate `consent_open`: the person still opens some part of their passport to
        the requesting organisation today (`AccessRequest.named_person` reads it)."""
        return self.annotate(consent_open=Exists(Consent.objects.active().filter(
            person_id=OuterRef("person_id"), organisation_id=OuterRef("organisation_id"))))


class AccessRequest(models.Model):
    """A professional asks a person to open parts of their passport to their organisation.

    The request names the passport by the number the professional typed (`public_id`);
    `person` is set only when that number is a passport, and is never shown to the
    organisation before the person accepts: the organisation cannot learn whether the
    number exists. The person accepts (consents are granted, `in_app`) or refuses; a
    request left unanswered expires at `expires_at`; the organisation may cancel it while
    it is pending (`decided_at` is then when it was cancelled)."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE,
                                     related_name="access_requests")
    public_id = models.CharField(_("numéro de passeport"), max_length=14, db_index=True)
    person = models.ForeignKey(Person, on_delete=models.CASCADE, null=True, blank=True,
                               related_name="access_requests")
    scopes = models.JSONField(_("parties du passeport demandées"), default=list)
    # The parts the person accepted to open (all or some of `scopes`), once accepted.
    granted_scopes = models.JSONField(_("parties du passeport ouvertes"), default=list,
                                      blank=True)
    purpose = models.CharField(_("pour quoi faire"), max_length=250)
    message = models.TextField(_("message"), max_length=1000, blank=True)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                     null=True, blank=True, related_name="+")
    requested_by_label = models.CharField(max_length=200, blank=True)
    status = models.CharField(max_length=16, choices=AccessRequestStatus.choices,
                              default=AccessRequestStatus.PENDING)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    decided_at = models.DateTimeField(null=True, blank=True)
    # When the organisation's list of requests first showed the person's answer: until
    # then the answer reads « nouvelle réponse ».
    answer_seen_at = models.DateTimeField(null=True, blank=True)

    objects = AccessRequestQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("demande d'accès")
        indexes = [
            models.Index(fields=["organisation", "created_at"], name="accessreq_org_created"),
            models.Index(fields=["person", "status"], name="accessreq_person_status"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(status="pending", decided_at__isnull=True)
                | Q(status="expired", decided_at__isnull=True)
                | Q(status__in=["accepted", "refused", "cancelled"], decided_at__isnull=False),
                name="accessreq_decided_at_with_decision",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.organisation} → {self.public_id} ({self.status})"

    @property
    def current_status(self) -> str:
        if self.status == AccessRequestStatus.PENDING and self.expires_at <= timezone.now():
            return AccessRequestStatus.EXPIRED
        return self.status

    @property
    def current_status_label(self) -> str:
        return str(AccessRequestStatus(self.current_status).label)

    @property
    def is_pending(self) -> bool:
        return self.current_status == AccessRequestStatus.PENDING

    @property
    def is_new_answer(self) -> bool:
        """The person answered and the organisation has not seen the answer yet."""
        return (self.status in (AccessRequestStatus.ACCEPTED, AccessRequestStatus.REFUSED)
                and self.answer_seen_at is None)

    @property
    def named_person(self) -> Person | None:
        """The person, if the organisation may name them: they accepted, and they still
        open some part of their passport to it (a withdrawn consent hides the name again).
        Needs the `consent_open` annotation (`with_consent_open`); without it, nobody."""
        if (self.status == AccessRequestStatus.ACCEPTED and self.person_id
                and getattr(self, "consent_open", False)):
            return self.person
        return None

    @property
    def scope_labels(self) -> list[str]:
        return [str(ConsentScope(s).label) for s in self.scopes if s in ConsentScope.values]

    @property
    def granted_scope_labels(self) -> list[str]:
        return [str(ConsentScope(s).label) for s in self.granted_scopes
                if s in ConsentScope.values]

    @property
    def is_partly_accepted(self) -> bool:
        return (self.status == AccessRequestStatus.ACCEPTED
                and set(self.granted_scopes) != set(self.scopes))
