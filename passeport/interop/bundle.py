"""The portable passport bundle: a versioned JSON document (its JSON Schema is
`docs/bundle.schema.json`) with the person's identity, paths (situation, diagnostic,
objectives, actions, timeline, work hours), documents' metadata (never the files),
rights checks, consents and access log; plus a readable PDF summary.

Building and reading only: the read is checked and audited in `selectors`, the import
is a service (`services.bundle_import`)."""

from __future__ import annotations

import json
import uuid
from functools import lru_cache
from pathlib import Path as FsPath

from django.conf import settings
from django.utils import timezone

from passeport.core.models import AuditEvent
from passeport.paths.models import Path
from passeport.people.models import Consent, Person
from passeport.rights.models import RightsCheck
from passeport.vault.models import Document

BUNDLE_SCHEMA_URI = "urn:passeport:bundle:1"
BUNDLE_VERSION = 1
SCHEMA_FILE = FsPath(settings.BASE_DIR) / "docs" / "bundle.schema.json"

IDENTITY_FIELDS = ("first_name", "last_name", "birth_name", "birth_place", "gender", "email",
                   "phone", "address", "postal_code", "commune_insee", "commune_name")
SITUATION_FIELDS = ("employment_status", "education_level", "housing_status")


@lru_cache(maxsize=1)
def bundle_schema() -> dict:
    return json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))


def source_id() -> str:
    """This instance, as named in bundles (its public address)."""
    return settings.PASSEPORT_BASE_URL.rstrip("/")


def _d(value) -> str | None:
    return value.isoformat() if value else None


def _org(org) -> dict | None:
    if org is None:
        return None
    return {"name": org.name, "kind": org.kind, "siret": org.siret or None,
            "commune_insee": org.commune_insee or None}


def _path(path: Path) -> dict:
    return {
        "ref": f"path:{path.pk}",
        "organisation": _org(path.organisation),
        "referent": path.referent.user.get_full_name() if path.referent_id else None,
        "status": path.status, "opened_on": _d(path.opened_on), "closed_on": _d(path.closed_on),
        "exit_reason": path.exit_reason or None,
        "situation": {**{f: getattr(path, f) or None for f in SITUATION_FIELDS},
                      "unemployed_since": _d(path.unemployed_since),
                      "benefits": list(path.benefits or [])},
        "diagnostic": [
            {"ref": f"diagnostic:{d.pk}", "theme": d.theme, "severity": d.severity,
             "assessed_on": _d(d.assessed_on), "comment": d.comment, "is_current": d.is_current}
            for d in path.diagnostic.all()],
        "objectives": [
            {"ref": f"objective:{o.pk}", "title": o.title, "description": o.description,
             "status": o.status, "proposed_by_person": o.proposed_by_person,
             "created_at": _d(o.created_at)}
            for o in path.objectives.all()],
        "actions": [
            {"ref": f"action:{a.pk}",
             "objective_ref": f"objective:{a.objective_id}" if a.objective_id else None,
             "title": a.title, "description": a.description, "theme": a.theme or None,
             "organisation": _org(a.organisation), "for_person": a.for_person,
             "due_on": _d(a.due_on), "status": a.status, "outcome": a.outcome,
             "proposed_by_person": a.proposed_by_person, "created_at": _d(a.created_at),
             "done_at": _d(a.done_at)}
            for a in path.actions.all()],
        "timeline": [
            {"ref": f"event:{e.pk}", "kind": e.kind, "occurred_at": _d(e.occurred_at),
             "title": e.title, "body": e.body, "by_person": e.by_person,
             "appointment_outcome": e.appointment_outcome or None,
             "organisation": _org(e.organisation)}
            for e in path.events.all()],
        "work_hours": [
            {"ref": f"hours:{w.pk}", "hours_per_week": w.hours_per_week,
             "starts_on": _d(w.starts_on), "ends_on": _d(w.ends_on), "contract": w.contract or None,
             "employer_name": w.employer_name, "note": w.note}
            for w in path.work_hours.all()],
    }


def bundle_build(person: Person) -> dict:
    """Everything the passport holds about the person, as plain JSON values."""
    paths = (Path.objects.filter(person=person).order_by("opened_on", "pk")
             .select_related("organisation", "referent__user")
             .prefetch_related("diagnostic", "objectives", "actions__organisation",
                               "events__organisation", "work_hours"))
    documents = (Document.objects.filter(person=person).order_by("created_at", "pk")
                 .prefetch_related("versions"))
    checks = RightsCheck.objects.filter(person=person).order_by("requested_at", "pk")
    consents = (Consent.objects.filter(person=person).select_related("organisation")
                .order_by("recorded_at", "pk"))
    log = AuditEvent.objects.filter(person_uid=person.public_id).order_by("at", "pk")
    if person.user_id:
        log = log.exclude(actor_id=person.user_id)
    return {
        "$schema": BUNDLE_SCHEMA_URI,
        "format_version": BUNDLE_VERSION,
        "export_id": str(uuid.uuid4()),
        "exported_at": timezone.now().isoformat(),
        "source": {"instance": source_id(), "title": settings.PASSEPORT_SITE_TITLE},
        "person": {"public_id": person.public_id, "birth_date": _d(person.birth_date),
                   **{f: getattr(person, f) or None for f in IDENTITY_FIELDS},
                   "has_nir": bool(person.nir_sealed)},
        "paths": [_path(p) for p in paths],
        "documents": [
            {"uid": str(d.uid), "title": d.title, "category": d.category,
             "issued_on": _d(d.issued_on), "expires_on": _d(d.expires_on),
             "created_at": _d(d.created_at),
             "versions": [{"number": v.number, "content_type": v.content_type,
                           "size": v.size, "sha256": v.sha256}
                          for v in sorted(d.versions.all(), key=lambda v: v.number)]}
            for d in documents],
        "rights_checks": [
            {"month": c.month.strftime("%Y-%m"), "status": c.status,
             "computed_at": _d(c.computed_at), "legislation_date": _d(c.legislation_date),
             "amounts": {k: float(v) for k, v in (c.amounts or {}).items()},
             "flags": [{"code": f.get("code"), "amount": float(f.get("amount") or 0)}
                       for f in c.flags or []]}
            for c in checks],
        "consents": [
            {"organisation": _org(c.organisation), "scope": c.scope, "purpose": c.purpose,
             "method": c.method, "valid_from": _d(c.valid_from), "valid_until": _d(c.valid_until),
             "recorded_at": _d(c.recorded_at), "withdrawn_at": _d(c.withdrawn_at)}
            for c in consents],
        "access_log": [
            {"ref": f"audit:{e.pk}", "at": _d(e.at), "who": e.actor_label or "Passeport",
             "organisation": e.organisation.name if e.organisation_id else None,
             "action": e.action, "object_type": e.object_type}
            for e in log.select_related("organisation")],
    }


def bundle_json(bundle: dict) -> bytes:
    return json.dumps(bundle, ensure_ascii=False, indent=2).encode()


def bundle_errors(data) -> list[dict]:
    """Schema errors of a bundle (empty when valid), each with where and what."""
    from jsonschema import Draft202012Validator

    validator = Draft202012Validator(bundle_schema(),
                                    format_checker=Draft202012Validator.FORMAT_CHECKER)
    errors = sorted(validator.iter_errors(data), key=lambda e: list(e.absolute_path))
    return [{"path": "/".join(str(p) for p in e.absolute_path) or "(racine)",
             "message": e.message[:300]} for e in errors[:20]]


def bundle_check(data) -> None:
    """Refuse a file that is not a valid bundle of this format, with a French message
    (the unknown format or version said plainly, else the first schema error) and every
    error in `details["errors"]`."""
    from django.utils.translation import gettext as _

    from passeport.core.errors import PasseportError

    errors = bundle_errors(data)
    if not errors:
        return
    if not isinstance(data, dict) or data.get("$schema") != BUNDLE_SCHEMA_URI:
        message = _("Ce fichier n'est pas un passeport exporté par Passeport (son identifiant "
                    "de format « $schema » devrait être « %(uri)s »).") % {"uri": BUNDLE_SCHEMA_URI}
    elif data.get("format_version") != BUNDLE_VERSION:
        message = _("Cette version de passeport (%(found)s) n'est pas lue par cette instance, "
                    "qui lit la version %(version)s.") % {
            "found": data.get("format_version", "?"), "version": BUNDLE_VERSION}
    else:
        message = _("Ce fichier n'est pas un passeport valide : %(where)s : %(what)s") % {
            "where": errors[0]["path"], "what": errors[0]["message"]}
    raise PasseportError(message, code="invalid_bundle", field="bundle",
                         details={"errors": errors})


def bundle_existing_person(data: dict, organisation_id: int | None, *, system: bool = False) -> Person | None:
    """The person a valid bundle would add to, if their passport number already exists
    here, after the rules that keep an import from opening someone else's passport:

    - a passport exported by this very instance is already here (`already_here`), unless
      it was itself imported before (a round trip);
    - the importing organisation must already hold the person's consent (a re-import or
      a completion from the same source): anyone else asks the person through an access
      request (`passport_exists_here`); the system (the operator's command) may add;
    - the identity in the file must be the one here: first name, last name and birth date
      (`identity_mismatch`), so that a forged file cannot borrow a number.

    Returns None when the number is new here (the import creates the person)."""
    from django.utils.translation import gettext as _

    from passeport.core.errors import PasseportError
    from passeport.core.text import normalize

    from .models import ImportedRecord

    p = data["person"]
    person = Person.objects.filter(public_id=p["public_id"]).first()
    if person is None:
        return None
    source = data["source"]["instance"]
    if source == source_id() and not ImportedRecord.objects.filter(source=source, person=person).exists():
        raise PasseportError(_("Ce passeport est déjà dans cette instance."),
                             code="already_here", field="bundle")
    if not system and not Consent.objects.active().filter(person=person,
                                                          organisation_id=organisation_id).exists():
        raise PasseportError(
            _("Un passeport avec ce numéro existe déjà ici, et votre structure n'a pas l'accord "
              "de la personne. Demandez-lui l'accès depuis la liste des personnes (« Demander "
              "l'accès à ce passeport »)."), code="passport_exists_here", field="bundle")
    same = (normalize(p.get("first_name")) == normalize(person.first_name)
            and normalize(p.get("last_name")) == normalize(person.last_name)
            and str(p.get("birth_date") or "") == (person.birth_date.isoformat() if person.birth_date else ""))
    if not same:
        raise PasseportError(
            _("L'identité de ce fichier (nom, prénom, date de naissance) n'est pas celle du "
              "passeport qui porte ce numéro ici : rien n'est importé."),
            code="identity_mismatch", field="bundle")
    return person


def bundle_refs(data: dict) -> list[str]:
    """The `ref` of every item an import would create (paths and their items, access log)."""
    refs = []
    for p in data["paths"]:
        refs.append(p["ref"])
        for key in ("objectives", "diagnostic", "actions", "timeline", "work_hours"):
            refs.extend(item["ref"] for item in p[key])
    refs.extend(e["ref"] for e in data["access_log"])
    return refs


def bundle_summary(data: dict) -> dict:
    """What a valid bundle holds, counted (nothing read from or written to the database)."""
    paths = data["paths"]
    person = data["person"]
    return {
        "public_id": person["public_id"],
        "first_name": person.get("first_name") or "",
        "last_name": person.get("last_name") or "",
        "birth_date": person.get("birth_date"),
        "source": data["source"]["instance"],
        "source_title": data["source"].get("title") or "",
        "exported_at": data["exported_at"],
        "paths": len(paths),
        "open_paths": sum(1 for p in paths if p["status"] != "closed"),
        **{key: sum(len(p[key]) for p in paths)
           for key in ("objectives", "diagnostic", "actions", "timeline", "work_hours")},
        "documents": len(data["documents"]),
        "rights_checks": len(data["rights_checks"]),
        "access_log": len(data["access_log"]),
    }


# --- PDF summary ----------------------------------------------------------------------

def _latin(text) -> str:
    """The PDF's core font speaks Windows-1252: other characters become '?'."""
    text = str(text if text is not None else "")
    text = text.replace("\u2019", "'").replace("\u202f", " ").replace("\u00a0", " ")
    return text.encode("cp1252", "replace").decode("cp1252")


def bundle_pdf(bundle: dict) -> bytes:
    """A readable summary of the bundle, in plain French."""
    from fpdf import FPDF

    labels = _labels()
    pdf = FPDF(format="A4")
    pdf.set_auto_page_break(auto=True, margin=15)
    pdf.set_title(_latin("Mon passeport"))
    pdf.add_page()
    width = pdf.w - pdf.l_margin - pdf.r_margin

    def title(text, size=16):
        pdf.set_font("Helvetica", "B", size)
        pdf.multi_cell(width, 8, _latin(text), new_x="LMARGIN", new_y="NEXT")
        pdf.ln(1)

    def line(text):
        pdf.set_font("Helvetica", "", 10)
        pdf.multi_cell(width, 5.5, _latin(text), new_x="LMARGIN", new_y="NEXT")

    p = bundle["person"]
    title("Mon passeport parcours insertion emploi formation")
    line(f"{p.get('first_name') or ''} {p.get('last_name') or ''} - né(e) le "
         f"{p.get('birth_date')} - identifiant {p['public_id']}")
    line(f"Téléchargé le {bundle['exported_at'][:10]} depuis {bundle['source']['title']} "
         f"({bundle['source']['instance']}).")
    pdf.ln(3)
    for path in bundle["paths"]:
        org = (path.get("organisation") or {}).get("name", "")
        title(f"Parcours avec {org}", 13)
        line(f"Depuis le {path['opened_on']}"
             + (f", terminé le {path['closed_on']}" if path.get("closed_on") else "")
             + (f" - référent : {path['referent']}" if path.get("referent") else ""))
        if path["diagnostic"]:
            line("Ce qui freine : " + ", ".join(
                f"{labels['theme'].get(d['theme'], d['theme'])} ({d['severity']}/3)"
                for d in path["diagnostic"] if d["is_current"]))
        for o in path["objectives"]:
            line(f"Objectif : {o['title']} ({labels['objective'].get(o['status'], o['status'])})")
        for a in path["actions"]:
            due = f", avant le {a['due_on']}" if a.get("due_on") else ""
            line(f"Action : {a['title']} ({labels['action'].get(a['status'], a['status'])}{due})")
        if path["timeline"]:
            line(f"Historique : {len(path['timeline'])} événements, le dernier le "
                 f"{path['timeline'][-1]['occurred_at'][:10]}.")
        pdf.ln(2)
    title("Mes documents", 13)
    for d in bundle["documents"] or [{"title": "Aucun document.", "category": ""}]:
        line(f"{d['title']}" + (f" - valable jusqu'au {d['expires_on']}" if d.get("expires_on")
                                else ""))
    pdf.ln(2)
    title("Mes accords", 13)
    for c in bundle["consents"]:
        state = "retiré" if c.get("withdrawn_at") else "en cours"
        line(f"{(c.get('organisation') or {}).get('name', '')} : "
             f"{labels['scope'].get(c['scope'], c['scope'])} ({state})")
    pdf.ln(2)
    title("Qui a regardé mon passeport", 13)
    line(f"{len(bundle['access_log'])} consultations ou changements enregistrés "
         "(la liste complète est dans le fichier JSON).")
    return bytes(pdf.output())


def _labels() -> dict:
    from passeport.paths.enums import ActionStatus, FreinTheme, ObjectiveStatus
    from passeport.people.enums import ConsentScope

    return {"theme": {k: str(v) for k, v in FreinTheme.choices},
            "objective": {k: str(v) for k, v in ObjectiveStatus.choices},
            "action": {k: str(v) for k, v in ActionStatus.choices},
            "scope": {k: str(v) for k, v in ConsentScope.choices}}
