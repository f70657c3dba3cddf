"""Two-factor authentication (TOTP + hashed recovery codes), the organisation setting that
makes it mandatory, and login throttling. Codes are computed from the device's own key."""

from __future__ import annotations

import html
import time

import pytest
from django.urls import reverse
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from passeport.core.actor import Actor
from passeport.core.enums import Role
from passeport.identity.models import OrganisationSecurity, RecoveryCode
from passeport.identity.services import recovery_codes_generate
from tests.factories import MembershipFactory

PASSWORD = "motdepasse-test-123"
CASELOAD = "/pro/"


def totp_code(device: TOTPDevice, offset_steps: int = 0) -> str:
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time() + offset_steps * device.step
    return f"{totp.token():0{device.digits}d}"


def wrong_code(device: TOTPDevice) -> str:
    """A code the device refuses: none of the codes it accepts around now (its tolerance
    takes the previous and the next 30 s steps too, a step may begin meanwhile)."""
    near = {totp_code(device, offset) for offset in range(-2, 3)}
    return next(code for code in ("000000", "111111", "222222", "333333", "444444", "555555")
                if code not in near)


def password_login(client, user):
    response = client.post(reverse("login"), {"username": user.email, "password": PASSWORD})
    assert response.status_code == 302, response.content[:500]
    return response


@pytest.fixture
def enrolled(referent):
    """The référent has a confirmed authenticator app and recovery codes."""
    device = TOTPDevice.objects.create(user=referent.user, name="app", confirmed=True)
    codes = recovery_codes_generate(actor=Actor(user=referent.user, membership=referent))
    return device, codes


def test_enrolment_shows_a_qr_code_then_confirms_with_a_real_code(pro_client, referent):
    page = pro_client.get(reverse("identity:two_factor"))
    assert page.status_code == 200
    body = page.content.decode()
    assert "<svg" in body and "QR code" in body
    device = TOTPDevice.objects.get(user=referent.user, confirmed=False)
    # Reloading keeps the same key (the QR code already scanned stays valid).
    pro_client.get(reverse("identity:two_factor"))
    assert TOTPDevice.objects.filter(user=referent.user).count() == 1

    wrong = pro_client.post(reverse("identity:two_factor"), {"token": wrong_code(device)})
    assert wrong.status_code == 400
    assert "Ce code ne correspond pas" in wrong.content.decode()

    done = pro_client.post(reverse("identity:two_factor"), {"token": totp_code(device)})
    assert done.status_code == 302 and done["Location"] == reverse("identity:recovery_codes")
    device.refresh_from_db()
    assert device.confirmed

    codes_page = pro_client.get(reverse("identity:recovery_codes")).content.decode()
    assert "ne seront plus jamais affichés" in codes_page
    codes = list(RecoveryCode.objects.filter(device__user=referent.user))
    assert len(codes) == 10
    shown = codes_page.split('id="recovery-codes"')[1].split("</ul>")[0]
    shown_codes = [part.split("</code>")[0] for part in shown.split("<code>")[1:]]
    assert len(shown_codes) == 10
    # Stored hashed: no code appears in the database.
    assert not any(c.code_hash == code or code in c.code_hash for c in codes for code in shown_codes)
    # Shown once only.
    again = pro_client.get(reverse("identity:recovery_codes"))
    assert again.status_code == 302
    assert "recovery-codes" not in pro_client.get(again["Location"]).content.decode()


def test_login_asks_the_code_after_the_password(client, referent, enrolled):
    device, _codes = enrolled
    password_login(client, referent.user)
    blocked = client.get(CASELOAD)
    assert blocked.status_code == 302
    assert blocked["Location"].startswith(reverse("identity:verify"))
    verify_page = client.get(blocked["Location"])
    assert "Vérification en deux étapes" in verify_page.content.decode()

    wrong = wrong_code(device)
    bad = client.post(reverse("identity:verify"), {"token": wrong, "next": CASELOAD})
    assert bad.status_code == 400
    assert "Ce code ne correspond pas" in bad.content.decode()
    assert client.get(CASELOAD).status_code == 302  # still not through
    # django-otp throttles the device after a failure: even the right code waits.
    early = client.post(reverse("identity:verify"), {"token": totp_code(device), "next": CASELOAD})
    assert "Trop d'essais" in html.unescape(early.content.decode())
    time.sleep(2.1)

    ok = client.post(reverse("identity:verify"), {"token": totp_code(device), "next": CASELOAD})
    assert ok.status_code == 302 and ok["Location"] == CASELOAD
    assert client.get(CASELOAD).status_code == 200


def test_a_recovery_code_works_once(client, referent, enrolled):
    _device, codes = enrolled
    password_login(client, referent.user)
    ok = client.post(reverse("identity:verify"), {"token": codes[0].upper(), "next": CASELOAD})
    assert ok.status_code == 302 and ok["Location"] == CASELOAD
    page = client.get(CASELOAD, follow=True).content.decode()
    assert "Il vous en reste 9" in page

    client.post(reverse("logout"))
    password_login(client, referent.user)
    reused = client.post(reverse("identity:verify"), {"token": codes[0], "next": CASELOAD})
    assert reused.status_code == 400
    assert client.get(CASELOAD).status_code == 302
    # Another code still works (after the throttling delay of the failure).
    time.sleep(1.1)
    assert client.post(reverse("identity:verify"), {"token": codes[1], "next": CASELOAD}).status_code == 302
    assert client.get(CASELOAD).status_code == 200


def test_organisation_setting_forces_members_to_enrol(client, org, referent):
    admin = MembershipFactory(organisation=org, role=Role.ADMIN)
    client.force_login(admin.user)
    # A référent cannot change the setting; the administrator can.
    response = client.post(reverse("identity:organisation_security"), {"require_two_factor": "on"})
    assert response.status_code == 302
    assert OrganisationSecurity.objects.get(organisation=org).require_two_factor
    # From now on, the administrator too must enrol before any pro page.
    assert client.get(CASELOAD)["Location"].startswith(reverse("identity:two_factor"))

    client.force_login(referent.user)
    response = client.get(CASELOAD)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("identity:two_factor") + "?next=")
    enrol = client.get(response["Location"]).content.decode()
    assert "Votre structure demande la double authentification" in enrol
    assert client.get("/api/v1/persons").status_code == 403
    assert client.post(reverse("identity:organisation_security"), {}).status_code == 302  # redirected to enrol
    assert OrganisationSecurity.objects.get(organisation=org).require_two_factor

    device = TOTPDevice.objects.get(user=referent.user, confirmed=False)
    client.post(reverse("identity:two_factor"), {"token": totp_code(device), "next": CASELOAD})
    assert client.get(CASELOAD).status_code == 200


def test_only_an_administrator_changes_the_setting(pro_client, org):
    response = pro_client.post(reverse("identity:organisation_security"), {"require_two_factor": "on"})
    assert response.status_code == 403
    assert not OrganisationSecurity.objects.filter(organisation=org, require_two_factor=True).exists()


def test_throttling_locks_the_account_even_with_the_right_password(client, referent, settings):
    settings.AXES_FAILURE_LIMIT = 3
    for _ in range(3):
        response = client.post(reverse("login"), {"username": referent.user.email, "password": "faux-mot-de-passe"})
    assert response.status_code == 429
    locked = client.post(reverse("login"), {"username": referent.user.email, "password": PASSWORD})
    assert locked.status_code == 429
    body = locked.content.decode()
    assert "Connexion bloquée" in body and "bloquée pendant 15 minutes" in body
    assert client.get(CASELOAD).status_code == 302  # not logged in
    # Another account is not affected.
    other = MembershipFactory(organisation=referent.organisation)
    assert client.post(reverse("login"), {"username": other.user.email, "password": PASSWORD}).status_code == 302


def test_a_failure_below_the_limit_is_forgotten_after_success(client, referent, settings):
    settings.AXES_FAILURE_LIMIT = 3
    for _ in range(2):
        assert client.post(reverse("login"), {"username": referent.user.email, "password": "x"}).status_code == 200
    password_login(client, referent.user)
    client.post(reverse("logout"))
    for _ in range(2):
        assert client.post(reverse("login"), {"username": referent.user.email, "password": "x"}).status_code == 200
    password_login(client, referent.user)


def test_production_cookies_are_secure_httponly_and_samesite():
    """The settings module read with DJANGO_ENV=production, in a fresh interpreter."""
    import json
    import os
    import subprocess
    import sys

    env = {**os.environ, "DJANGO_ENV": "production", "DJANGO_SECRET_KEY": "x" * 50,
           "PASSEPORT_DATA_KEY": "y" * 44, "PASSEPORT_VAULT_MASTER_KEY": "z" * 44,
           "PASSEPORT_TESTING": "0"}
    code = ("import json, config.settings as s; print(json.dumps([s.SESSION_COOKIE_SECURE, "
            "s.SESSION_COOKIE_HTTPONLY, s.SESSION_COOKIE_SAMESITE, s.CSRF_COOKIE_SECURE, s.DEBUG]))")
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True,
                         check=True, cwd=os.path.dirname(os.path.dirname(os.path.dirname(__file__))))
    assert json.loads(out.stdout.strip().splitlines()[-1]) == [True, True, "Lax", True, False]


def test_administrator_resets_a_members_two_factor(client, org, referent, outsider, enrolled):
    admin = MembershipFactory(organisation=org, role=Role.ADMIN)
    url = reverse("identity:member_two_factor_reset", args=[referent.pk])
    # A référent cannot, another organisation's administrator does not even see the member.
    client.force_login(outsider.user)
    outsider.role = Role.ADMIN
    outsider.save()
    assert client.post(url).status_code == 404
    client.force_login(MembershipFactory(organisation=org, role=Role.REFERENT).user)
    assert client.post(url).status_code == 403
    assert TOTPDevice.objects.filter(user=referent.user).exists()

    client.force_login(admin.user)
    page = client.get(reverse("identity:organisation_security")).content.decode()
    assert "Réinitialiser pour Rozenn Le Bihan" in page
    assert client.post(url).status_code == 302
    assert not TOTPDevice.objects.filter(user=referent.user).exists()
    assert not RecoveryCode.objects.filter(device__user=referent.user).exists()
    # The référent logs in again with the password only.
    client.force_login(referent.user)
    assert client.get(CASELOAD).status_code == 200
