import pytest
from django.urls import reverse

from passeport.core.crypto import token_hash
from passeport.core.enums import Role
from passeport.core.models import ApiToken, Membership, User
from tests.factories import MembershipFactory, OrganisationFactory

URL = reverse("pro:organisation")


@pytest.mark.django_db
def test_members_see_all_roles_but_cannot_manage(pro_client, org, referent, manager, admin,
                                                 outsider):
    response = pro_client.get(URL)
    html = response.content.decode()
    assert response.status_code == 200 and org.name in html
    for member in (referent, manager, admin):
        assert member.user.email in html
    assert outsider.user.email not in html
    assert "Responsable (voit toute la file active)" in html and "Administrateur" in html
    assert "Ajouter un membre" not in html and "Jetons d&#x27;accès" not in html
    assert pro_client.get(reverse("pro:member_add")).status_code == 403
    assert pro_client.post(reverse("pro:member_update", args=[manager.pk]),
                           {"role": "admin", "is_active": "on"}).status_code == 403
    assert pro_client.post(reverse("pro:token_create"), {"name": "X"}).status_code == 403
    manager.refresh_from_db()
    assert manager.role == Role.MANAGER and not ApiToken.objects.exists()


@pytest.mark.django_db
def test_admin_adds_a_member(admin_client, org):
    response = admin_client.post(reverse("pro:member_add"), {
        "email": "Nolwenn.Guivarch@Example.org", "first_name": "Nolwenn",
        "last_name": "Guivarc'h", "role": "manager", "job_title": "Conseillère",
        "password": "une-longue-phrase-secrete"})
    assert response.status_code == 302
    membership = Membership.objects.get(user__email="nolwenn.guivarch@example.org")
    assert membership.organisation == org and membership.role == Role.MANAGER
    assert membership.user.check_password("une-longue-phrase-secrete")
    assert "Nolwenn Guivarc&#x27;h fait partie de la structure." in \
        admin_client.get(URL).content.decode()


@pytest.mark.django_db
def test_admin_add_member_bad_input_keeps_data(admin_client):
    count = User.objects.count()
    response = admin_client.post(reverse("pro:member_add"), {
        "email": "pas-une-adresse", "first_name": "Nolwenn", "last_name": "", "role": "referent",
        "password": "123"})
    html = response.content.decode()
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert {"email", "last_name", "password"} <= set(errors)
    assert 'value="Nolwenn"' in html and 'id="id_email-desc-error"' in html
    assert User.objects.count() == count


@pytest.mark.django_db
def test_admin_changes_role_and_deactivates(admin_client, admin, referent, outsider):
    response = admin_client.post(reverse("pro:member_update", args=[referent.pk]),
                                 {"role": "manager"})
    assert response.status_code == 302
    referent.refresh_from_db()
    assert referent.role == Role.MANAGER and referent.is_active is False
    # Not a member of another organisation, and not oneself.
    assert admin_client.post(reverse("pro:member_update", args=[outsider.pk]),
                             {"role": "referent"}).status_code == 404
    admin_client.post(reverse("pro:member_update", args=[admin.pk]), {"role": "referent"})
    admin.refresh_from_db()
    assert admin.role == Role.ADMIN and admin.is_active


@pytest.mark.django_db
def test_admin_creates_token_shown_once_and_revokes_it(admin_client, org, other_org):
    response = admin_client.post(reverse("pro:token_create"), {"name": "Logiciel RSA"})
    html = response.content.decode()
    token = ApiToken.objects.get()
    raw = html.split('id="nouveau-jeton">')[1].split("<")[0].strip()
    assert token.organisation == org and token.key_hash == token_hash(raw)
    assert response["Cache-Control"] == "no-store"
    assert raw not in admin_client.get(URL).content.decode()
    assert "Logiciel RSA" in admin_client.get(URL).content.decode()
    response = admin_client.post(reverse("pro:token_create"), {"name": ""})
    assert "name" in response.context["token_form"].errors and ApiToken.objects.count() == 1
    admin_client.post(reverse("pro:token_revoke", args=[token.pk]))
    token.refresh_from_db()
    assert token.revoked_at is not None
    other = ApiToken.objects.create(organisation=other_org, name="Autre", prefix="pp_x",
                                    key_hash="x" * 64)
    assert admin_client.post(reverse("pro:token_revoke", args=[other.pk])).status_code == 404
    other.refresh_from_db()
    assert other.revoked_at is None


@pytest.mark.django_db
def test_switch_organisation_when_member_of_several(client, referent):
    second = MembershipFactory(user=referent.user, organisation=OrganisationFactory(name="CCAS de Brest"))
    client.force_login(referent.user)
    html = client.get(URL).content.decode()
    assert "Changer de structure" in html and "CCAS de Brest" in html
    assert f'action="{reverse("switch_organisation")}"' in html
    client.post(reverse("switch_organisation"), {"membership": second.pk})
    assert "<h1>CCAS de Brest</h1>" in client.get(URL).content.decode()


@pytest.mark.django_db
def test_no_switcher_with_one_organisation(pro_client):
    assert "Changer de structure" not in pro_client.get(URL).content.decode()
