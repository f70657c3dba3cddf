"""The person's journey in a real browser (Debian's Chromium through Playwright), with
axe-core on every page: upload a photo, see it, share it, read the log."""

import pytest
from playwright.sync_api import expect

from .conftest import jpeg

pytestmark = pytest.mark.browser


@pytest.mark.django_db(transaction=True)
def test_person_uploads_shares_and_reads_the_log(live_server, page, axe, person, org,
                                                 tmp_path):
    page.goto(f"{live_server.url}/connexion/")
    page.get_by_label("Adresse e-mail").fill(person.user.email)
    page.get_by_label("Mot de passe").fill("motdepasse-test-123")
    page.get_by_role("button", name="Se connecter").last.click()
    page.wait_for_url(lambda url: "/connexion/" not in url)  # logged in before going on
    page.goto(f"{live_server.url}/mon-passeport/documents/")
    assert page.get_by_role("heading", level=1).inner_text() == "Mes documents"
    axe.check(page, "mes documents (vide)")

    page.get_by_role("link", name="Ajouter un document").click()
    axe.check(page, "ajouter un document")
    photo = tmp_path / "quittance.jpg"
    photo.write_bytes(jpeg(50_000))
    page.get_by_label("Ou choisir un fichier").set_input_files(str(photo))
    page.get_by_label("Catégorie").select_option("logement")
    page.get_by_label("Nom du document").fill("Quittance de loyer")
    page.get_by_role("button", name="Enregistrer le document").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Quittance de loyer")
    expect(page.locator("body")).to_contain_text("Votre document est enregistré")
    axe.check(page, "document")

    page.get_by_label("Avec quelle structure ?").select_option(str(org.pk))
    page.get_by_role("button", name="Partager ce document").click()
    expect(page.locator("body")).to_contain_text(f"Arrêter le partage avec {org.name}")
    page.set_viewport_size({"width": 360, "height": 800})
    page.screenshot(path=str(tmp_path / "document.png"), full_page=True)

    page.goto(f"{live_server.url}/mon-passeport/documents/journal/")
    axe.check(page, "historique")
    assert "Partage" in page.content() and "Dépôt" in page.content()
    page.goto(f"{live_server.url}/mon-passeport/documents/partages/")
    axe.check(page, "partages")
