"""The portable passport bundle: a versioned JSON document (its JSON Schema is
`docs/bundle.schema.json`; version 1 bundles are still read, against the frozen
`docs/bundle.schema.v1.json`) with the person's identity, paths (situation, diagnostic,
objectives, actions, timeline, work hours), documents' metadata (never the files),
rights checks, consents and access log; since version 2 also the skills evaluations,
the Open Badges (the signed credentials themselves), the immersions and the job
profile, each only when the exporting context may read that part of the passport;
plus a readable PDF summary.

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

BUNDLE_VERSION = 2
BUNDLE_SCHEMA_URI = f"urn:passeport:bundle:{BUNDLE_VERSION}"
# Every version this instance reads, with its JSON Schema (the current one first).
SCHEMA_FILES = {2: FsPath(settings.BASE_DIR) / "docs" / "bundle.schema.json",
                1: FsPath(settings.BASE_DIR) / "docs" / "bundle.schema.v1.json"}
SCHEMA_FILE = SCHEMA_FILES[BUNDLE_VERSION]
READ_VERSIONS = tuple(sorted(SCHEMA_FILES))
# The sections of version 2 and the part of the passport (consent scope) each needs.
V2_SECTIONS = {"skills_evaluations": "skills", "badges": "skills", "immersions": "jobs",
               "job_profile": "jobs"}

IDENTITY_FIELDS = ("first_name", "last_name", "birth_name", "birth_place", "gender", "email",
                   "phone", "address", "postal_code", "commune_insee", "commune_name")
SITUATION_FIELDS = ("employment_status", "education_level", "housing_status")


@lru_cache(maxsize=4)
def bundle_schema(version: int = BUNDLE_VERSION) -> dict:
    return json.loads(SCHEMA_FILES[version].read_text(encoding="utf-8"))


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


def _evaluations(person: Person) -> list[dict]:
    from passeport.skills.selectors import evaluations_of

    return [
        {"ref": f"evaluation:{e.uid}",
         "grid": {"code": e.grid.code, "name": e.grid.name, "kind": e.grid.kind,
                  "rome_code": e.grid.rome_code or None},
         "source": e.source, "evaluator": e.evaluator_label, "organisation": _org(e.organisation),
         "evaluated_on": _d(e.evaluated_on), "comment": e.comment,
         "scores": [{"code": s.item.code, "label": s.item.label, "level": s.level}
                    for s in sorted(e.scores.all(), key=lambda s: (s.item.position, s.item.code))]}
        for e in evaluations_of(person).order_by("evaluated_on", "created_at", "pk")]


def _badges(person: Person) -> list[dict]:
    """The badges awarded here (not revoked) and the Open Badges 3.0 the person brought
    in: the signed credential as issued, never re-signed (it verifies anywhere)."""
    from passeport.skills.enums import ImportFormat
    from passeport.skills.selectors import awards_of_person, imported_of

    awarded = [{"ref": f"award:{a.uid}", "credential": a.credential}
               for a in awards_of_person(person).filter(revoked_at__isnull=True)
               .order_by("valid_from", "pk")]
    brought = [{"ref": f"imported_badge:{b.uid}", "credential": b.payload}
               for b in imported_of(person).filter(format=ImportFormat.OB3)
               .order_by("imported_at", "pk")]
    return awarded + brought


def _immersions(person: Person) -> list[dict]:
    from passeport.jobs.models import Immersion
    from passeport.jobs.selectors import skill_labels

    immersions = list(Immersion.objects.filter(person=person)
                      .select_related("employer", "appellation__fiche").order_by("starts_on", "pk"))
    labels = skill_labels({int(c) for i in immersions for c in i.skills_observed or []})
    out = []
    for i in immersions:
        assessment = None
        if i.assessed_at:
            assessment = {
                "assessed_on": _d(timezone.localdate(i.assessed_at)), "behaviour": i.behaviour,
                "behaviour_label": i.get_behaviour_display() if i.behaviour else None,
                "comment": i.assessment_comment, "led_to_job": i.led_to_job,
                "skills_observed": [{"code": int(c), "label": labels.get(int(c), str(c))}
                                    for c in i.skills_observed or []]}
        out.append({
            "ref": f"immersion:{i.pk}", "employer": _org(i.employer),
            "appellation": {"code": i.appellation_id, "label": i.appellation.label},
            "rome": {"code": i.appellation.fiche_id, "label": i.appellation.fiche.label},
            "starts_on": _d(i.starts_on), "ends_on": _d(i.ends_on), "status": i.status,
            "assessment": assessment})
    return out


def _job_profile(person: Person) -> dict | None:
    from passeport.jobs.models import CandidateProfile

    profile = (CandidateProfile.objects.filter(person=person).select_related("commune")
               .prefetch_related("target_appellations__fiche", "experience_appellations__fiche",
                                 "skills__skill").first())
    if profile is None:
        return None

    def jobs(appellations):
        return [{"code": a.code_ogr, "label": a.label, "rome_code": a.fiche_id}
                for a in sorted(appellations, key=lambda a: a.code_ogr)]

    return {
        "target_jobs": jobs(profile.target_appellations.all()),
        "experience_jobs": jobs(profile.experience_appellations.all()),
        "career_change": profile.career_change,
        "commune_insee": profile.commune_id or None,
        "commune_name": profile.commune.name if profile.commune_id else None,
        "max_distance_km": profile.max_distance_km,
        "max_travel_minutes": profile.max_travel_minutes,
        "transport_mode": profile.transport_mode,
        "has_driving_licence": profile.has_driving_licence, "has_vehicle": profile.has_vehicle,
        "max_hours_per_week": profile.max_hours_per_week,
        "childcare_constraint": profile.childcare_constraint,
        "night_work_ok": profile.night_work_ok, "weekend_work_ok": profile.weekend_work_ok,
        "skills": [{"code": cs.skill_id, "label": cs.skill.label, "source": cs.source}
                   for cs in sorted(profile.skills.all(), key=lambda cs: (cs.source, cs.skill_id))],
    }


SECTION_BUILDERS = {"skills_evaluations": _evaluations, "badges": _badges,
                    "immersions": _immersions, "job_profile": _job_profile}


def bundle_build(person: Person, *, scopes=None) -> dict:
    """Everything the passport holds about the person, as plain JSON values. `scopes`
    are the parts of the passport the exporting context may read (None: all of them,
    the person's own export); a version 2 section outside them is left out."""
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
    bundle = {
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
    for section, scope in V2_SECTIONS.items():
        if scopes is None or scope in scopes:
            bundle[section] = SECTION_BUILDERS[section](person)
    return bundle


def bundle_json(bundle: dict) -> bytes:
    return json.dumps(bundle, ensure_ascii=False, indent=2).encode()


def bundle_version(data) -> int | None:
    """The format version a bundle declares, when this instance reads it and its
    `$schema` agrees (`urn:passeport:bundle:<version>`); else None."""
    if not isinstance(data, dict):
        return None
    version = data.get("format_version")
    if (isinstance(version, int) and not isinstance(version, bool) and version in SCHEMA_FILES
            and data.get("$schema") == f"urn:passeport:bundle:{version}"):
        return version
    return None


def bundle_errors(data) -> list[dict]:
    """Schema errors of a bundle (empty when valid), each with where and what. A bundle
    is checked against the schema of the version it declares (the current one when it
    declares none this instance reads)."""
    from jsonschema import Draft202012Validator

    schema = bundle_schema(bundle_version(data) or BUNDLE_VERSION)
    validator = Draft202012Validator(schema, format_checker=Draft202012Validator.FORMAT_CHECKER)
    errors = sorted(validator.iter_errors(data), key=lambda e: list(e.absolute_path))
    return [{"path": "/".join(str(p) for p in e.absolute_path) or "(racine)",
             "message": e.message[:300]} for e in errors[:20]]


def bundle_check(data) -> None:
    """Refuse a file that is not a valid bundle of a format version this instance reads
    (1 and 2), with a French message (the unknown format or version said plainly, else
    the first schema error) and every error in `details["errors"]`."""
    from django.utils.translation import gettext as _

    from passeport.core.errors import PasseportError

    errors = bundle_errors(data)
    if not errors:
        return
    uris = [f"urn:passeport:bundle:{v}" for v in READ_VERSIONS]
    versions = " et ".join(str(v) for v in READ_VERSIONS)
    if not isinstance(data, dict) or data.get("$schema") not in uris:
        message = _("Ce fichier n'est pas un passeport exporté par Passeport (son identifiant "
                    "de format « $schema » devrait être « %(uri)s »).") % {"uri": " » ou « ".join(uris)}
    elif data.get("format_version") not in READ_VERSIONS:
        message = _("Cette version de passeport (%(found)s) n'est pas lue par cette instance, "
                    "qui lit les versions %(versions)s.") % {
            "found": data.get("format_version", "?"), "versions": versions}
    elif bundle_version(data) is None:
        message = _("Ce fichier n'est pas un passeport valide : son identifiant de format "
                    "« %(uri)s » ne correspond pas à sa version (%(found)s).") % {
            "uri": data["$schema"], "found": data["format_version"]}
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
    """The `ref` of every item an import would create (paths and their items, access log,
    and since version 2 evaluations, badges and immersions)."""
    refs = []
    for p in data["paths"]:
        refs.append(p["ref"])
        for key in ("objectives", "diagnostic", "actions", "timeline", "work_hours"):
            refs.extend(item["ref"] for item in p[key])
    refs.extend(e["ref"] for e in data["access_log"])
    for key in ("skills_evaluations", "badges", "immersions"):
        refs.extend(item["ref"] for item in data.get(key) or [])
    return refs


def _date(value: str | None):
    from datetime import date

    try:
        return date.fromisoformat(str(value)[:10]) if value else None
    except ValueError:
        return None


def bundle_summary(data: dict) -> dict:
    """What a valid bundle holds, counted (nothing read from or written to the database).
    Dates are `date`/`datetime` objects; a version 2 section the bundle does not carry
    (version 1, or a part of the passport the exporting context could not read) is
    named in `sections_missing`."""
    from datetime import datetime

    paths = data["paths"]
    person = data["person"]
    exported_at = datetime.fromisoformat(data["exported_at"])
    return {
        "public_id": person["public_id"],
        "first_name": person.get("first_name") or "",
        "last_name": person.get("last_name") or "",
        "birth_date": _date(person.get("birth_date")),
        "source": data["source"]["instance"],
        "source_title": data["source"].get("title") or "",
        "format_version": data["format_version"],
        "exported_at": exported_at,
        "exported_on": timezone.localdate(exported_at) if timezone.is_aware(exported_at)
        else exported_at.date(),
        "paths": len(paths),
        "open_paths": sum(1 for p in paths if p["status"] != "closed"),
        **{key: sum(len(p[key]) for p in paths)
           for key in ("objectives", "diagnostic", "actions", "timeline", "work_hours")},
        "documents": len(data["documents"]),
        "rights_checks": len(data["rights_checks"]),
        "access_log": len(data["access_log"]),
        **{key: len(data.get(key) or []) for key in ("skills_evaluations", "badges", "immersions")},
        "job_profile": bool(data.get("job_profile")),
        "sections_missing": [key for key in V2_SECTIONS if key not in data],
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
    if bundle.get("badges"):
        title("Mes badges", 13)
        for b in bundle["badges"]:
            line(_badge_line(b["credential"]))
        line("Chaque badge est dans le fichier JSON tel qu'il a été signé : il se vérifie partout.")
        pdf.ln(2)
    if bundle.get("skills_evaluations"):
        title("Mes compétences (derniers niveaux)", 13)
        for grid in _latest_levels(bundle["skills_evaluations"]):
            line(f"{grid['name']} - le {grid['on']}, par {grid['by']} :")
            shown = grid["items"][:PDF_ITEMS_PER_GRID]
            more = len(grid["items"]) - len(shown)
            line("   " + " ; ".join(f"{label} : {level}/{grid['max']}" for label, level in shown)
                 + (f" ; et {more} autre(s)" if more > 0 else ""))
        pdf.ln(2)
    if bundle.get("immersions"):
        title("Mes immersions", 13)
        for i in bundle["immersions"]:
            line(f"{i['appellation']['label']} chez {(i.get('employer') or {}).get('name', '')}, "
                 f"du {i['starts_on']} au {i['ends_on']} "
                 f"({labels['immersion'].get(i['status'], i['status'])})")
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


PDF_ITEMS_PER_GRID = 8


def _badge_line(credential: dict) -> str:
    issuer = credential.get("issuer")
    issuer = issuer.get("name", "") if isinstance(issuer, dict) else str(issuer or "")
    achievement = (credential.get("credentialSubject") or {}).get("achievement") or {}
    name = credential.get("name") or achievement.get("name") or "Badge"
    return f"{name} - délivré par {issuer} le {str(credential.get('validFrom', ''))[:10]}"


def _latest_levels(evaluations: list[dict]) -> list[dict]:
    """Per grid, the latest level of each skill (the evaluations come oldest first)."""
    grids: dict[str, dict] = {}
    for e in sorted(evaluations, key=lambda e: e["evaluated_on"]):
        grid = grids.setdefault(e["grid"]["code"], {
            "name": e["grid"]["name"], "max": 3 if e["grid"]["kind"] == "digital" else 4,
            "levels": {}})
        grid.update(on=e["evaluated_on"], by=e["evaluator"])
        for score in e["scores"]:
            grid["levels"][score["code"]] = (score["label"], score["level"])
    return [{**g, "items": list(g["levels"].values())} for g in grids.values()]


def _labels() -> dict:
    from passeport.jobs.enums import ImmersionStatus
    from passeport.paths.enums import ActionStatus, FreinTheme, ObjectiveStatus
    from passeport.people.enums import ConsentScope

    return {"theme": {k: str(v) for k, v in FreinTheme.choices},
            "objective": {k: str(v) for k, v in ObjectiveStatus.choices},
            "action": {k: str(v) for k, v in ActionStatus.choices},
            "scope": {k: str(v) for k, v in ConsentScope.choices},
            "immersion": {k: str(v) for k, v in ImmersionStatus.choices}}
