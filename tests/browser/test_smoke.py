import pytest
from playwright.sync_api import expect


@pytest.mark.django_db(transaction=True)
def test_login_page_renders_and_is_accessible(live_server, page, axe):
    page.goto(f"{live_server.url}/connexion/")
    assert page.get_by_role("heading", level=1).inner_text() == "Se connecter à Passeport"
    axe.check(page, "connexion")
    page.get_by_label("Adresse e-mail").fill("personne@example.org")
    page.get_by_label("Mot de passe").fill("mauvais mot de passe")
    page.get_by_role("button", name="Se connecter").last.click()
    expect(page.get_by_role("alert")).to_contain_text("ne correspond pas")
    axe.check(page, "connexion en erreur")


@pytest.mark.django_db(transaction=True)
def test_api_docs_load_from_our_own_static_files(live_server, page):
    """The interactive API docs work without any third-party CDN (nothing leaves the
    site when a developer opens them) and list the API's resources."""
    outside = []
    page.on("request", lambda r: outside.append(r.url)
            if not r.url.startswith(live_server.url) else None)
    # The OpenAPI document is built on each request: 10 to 20 s on a busy machine, more
    # than the page's 15 s default timeout. Wait for it explicitly, with a wide margin.
    with page.expect_response(lambda r: r.url.endswith("/api/v1/openapi.json"),
                              timeout=120_000) as schema:
        page.goto(f"{live_server.url}/api/v1/docs")
    assert schema.value.ok
    page.get_by_text("Passeport API").first.wait_for()
    assert page.get_by_text("/api/v1/persons", exact=True).count() >= 1
    assert outside == []
