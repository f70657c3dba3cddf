"""Interop pages in a real browser (Debian's Chromium through Playwright), with axe-core:
an administrator subscribes a system (a real receiver on loopback) and reads the
delivery log; the person downloads their passport from their space; an administrator
imports that file (upload, consent, preview, confirm)."""

from __future__ import annotations

import json
from pathlib import Path as FsPath

import pytest

from passeport.core.actor import Actor
from passeport.paths.services import path_open, path_set_status
from passeport.people.models import Person

pytestmark = pytest.mark.browser


def login(page, base, email):
    page.goto(f"{base}/connexion/")
    page.get_by_label("Adresse e-mail").fill(email)
    page.get_by_label("Mot de passe").fill("motdepasse-test-123")
    page.get_by_role("button", name="Se connecter").last.click()


@pytest.mark.django_db(transaction=True)
def test_admin_subscribes_and_reads_the_log_then_person_downloads(
        live_server, browser, axe, admin, referent, person, receiver, tmp_path):
    base = live_server.url
    page = browser.new_page(locale="fr-FR")
    page.set_default_timeout(15_000)
    login(page, base, admin.user.email)
    page.goto(f"{base}/pro/structure/")
    page.get_by_role("link", name="Webhooks (prévenir vos logiciels)").click()
    axe.check(page, "webhooks")
    page.get_by_label("Nom de l'abonnement").fill("Logiciel de suivi")
    page.get_by_label("Adresse de réception").fill(receiver.url)
    page.get_by_text("Parcours terminé", exact=True).click()  # DSFR: the label covers the box
    page.get_by_role("button", name="Créer l'abonnement").click()
    receiver.secret = page.locator("#nouveau-secret").inner_text().strip()
    assert receiver.secret.startswith("whsec_")
    axe.check(page, "abonnement créé")

    actor = Actor(user=referent.user, membership=referent)
    path = path_open(actor=actor, person=person, referent=referent)
    path_set_status(actor=actor, path=path, status="closed", exit_reason="employment")
    assert receiver.received and receiver.received[0]["valid"]

    page.get_by_role("link", name="Logiciel de suivi").click()
    assert "Livrée" in page.content() and "path.closed" in page.content()
    axe.check(page, "journal des envois")
    page.context.clear_cookies()

    login(page, base, person.user.email)
    page.goto(f"{base}/mon-passeport/")
    axe.check(page, "mon passeport avec emporter")
    with page.expect_download() as download:
        page.get_by_role("link", name="Télécharger le fichier pour un autre service (JSON)").click()
    bundle = json.loads(FsPath(download.value.path()).read_text(encoding="utf-8"))
    assert bundle["person"]["public_id"] == person.public_id
    with page.expect_download() as download:
        page.get_by_role("link", name="Télécharger mon passeport à lire (PDF)").click()
    assert FsPath(download.value.path()).read_bytes()[:4] == b"%PDF"
    page.context.clear_cookies()

    # The person moves away, then comes back with their file: an administrator imports it.
    Person.objects.filter(pk=person.pk).delete()
    bundle_file = tmp_path / "passeport.json"
    bundle_file.write_text(json.dumps(bundle), encoding="utf-8")
    login(page, base, admin.user.email)
    page.goto(f"{base}/pro/structure/")
    page.get_by_role("link", name="Importer le passeport d'une personne").click()
    axe.check(page, "importer un passeport")
    page.get_by_label("Fichier du passeport (JSON)").set_input_files(str(bundle_file))
    page.get_by_text("Formulaire signé par la personne", exact=True).click()
    page.get_by_label("Pour quoi faire ?").fill("Suivi après déménagement")
    page.get_by_text("J'atteste que la personne est d'accord", exact=False).click()
    page.get_by_role("button", name="Vérifier le fichier").click()
    assert "Aperçu : rien n'est encore importé" in page.content()
    assert not Person.objects.filter(public_id=person.public_id).exists()
    axe.check(page, "aperçu de l'import")
    page.get_by_role("button", name="Confirmer l'import").click()
    assert "Passeport importé" in page.locator("#resultat-import").inner_text()
    axe.check(page, "passeport importé")
    page.get_by_role("link", name=f"Ouvrir le passeport {person.public_id}").click()
    assert person.public_id in page.content()
    page.close()
