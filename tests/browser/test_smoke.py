import pytest


@pytest.mark.django_db(transaction=True)
def test_login_page_renders_and_is_accessible(live_server, page, axe):
    page.goto(f"{live_server.url}/connexion/")
    assert page.get_by_role("heading", level=1).inner_text() == "Se connecter à Passeport"
    axe.check(page, "connexion")
    page.get_by_label("Adresse e-mail").fill("personne@example.org")
    page.get_by_label("Mot de passe").fill("mauvais mot de passe")
    page.get_by_role("button", name="Se connecter").last.click()
    assert "ne correspond pas" in page.get_by_role("alert").inner_text()
    axe.check(page, "connexion en erreur")
