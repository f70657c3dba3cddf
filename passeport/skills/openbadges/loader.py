"""A pyld document loader over the contexts shipped in `contexts/` (no network, ever).

pyld silently drops terms that no context defines; `nquads_count_check` in the
tests compares the number of N-Quads with the number of properties we expect."""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path

from pyld import jsonld

CONTEXTS_DIR = Path(__file__).parent / "contexts"

VC_V2 = "https://www.w3.org/ns/credentials/v2"
OB_V3 = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"
MULTIKEY_V1 = "https://w3id.org/security/multikey/v1"
SCHEMA_URL = ("https://purl.imsglobal.org/spec/ob/v3p0/schema/json/"
              "ob_v3p0_achievementcredential_schema.json")

LOCAL_CONTEXTS = {
    VC_V2: "credentials-v2.jsonld",
    OB_V3: "ob-v3p0-3.0.3.json",
    MULTIKEY_V1: "multikey-v1.jsonld",
}


class UnknownContext(Exception):
    """A credential refers to a JSON-LD context Passeport does not ship."""


@lru_cache(maxsize=16)
def _load(url: str) -> dict:
    name = LOCAL_CONTEXTS.get(url.rstrip("#"))
    if name is None:
        raise UnknownContext(url)
    return json.loads((CONTEXTS_DIR / name).read_text())


def document_loader(url: str, options=None) -> dict:
    try:
        document = _load(url)
    except UnknownContext as exc:
        raise jsonld.JsonLdError(f"Context not available offline: {url}",
                                 "jsonld.LoadDocumentError", code="loading document failed") from exc
    return {"contextUrl": None, "documentUrl": url, "document": document}


def canonize(document: dict) -> str:
    """RDF Dataset Canonicalization (RDFC-1.0 = URDNA2015) to N-Quads."""
    return jsonld.normalize(document, {"algorithm": "URDNA2015", "format": "application/n-quads",
                                       "documentLoader": document_loader})


def expected_quads(node) -> int:
    """How many N-Quads a JSON-LD document gives when every term is defined: one per
    value of each property (a type counts as one `rdf:type` triple; `id` gives none;
    a nested object gives one linking quad plus its own)."""
    if isinstance(node, list):
        return sum(expected_quads(n) for n in node)
    if not isinstance(node, dict):
        return 0
    count = 0
    for key, value in node.items():
        if key in ("@context", "id") or value is None:
            continue
        values = value if isinstance(value, list) else [value]
        for v in values:
            count += 1
            if isinstance(v, dict):
                count += expected_quads(v)
    return count


def check_no_dropped_terms(document: dict, nquads: str) -> None:
    """pyld drops terms no context defines, which would leave them unsigned: refuse."""
    got = sum(1 for line in nquads.splitlines() if line.strip())
    want = expected_quads(document)
    if got != want:
        raise ValueError(f"JSON-LD canonicalisation dropped or added terms ({got} N-Quads, {want} expected)")
