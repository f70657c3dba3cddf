"""Build the compressed ROME subset shipped in this folder from France Travail's open-data
export (ROME 4.0 v460, CSV files). Not imported by the app; run it after a new release:

    python passeport/jobs/data/build_rome.py /path/to/rome-v460
"""

from __future__ import annotations

import csv
import gzip
import io
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent


def read(src: Path, name: str) -> list[dict]:
    with open(src / f"unix_{name}_v460_utf8.csv", encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def write(name: str, header: list[str], rows: list[list]) -> None:
    buffer = io.StringIO(newline="")
    w = csv.writer(buffer)
    w.writerow(header)
    w.writerows(rows)
    with open(HERE / f"{name}.csv.gz", "wb") as f:  # mtime=0: the same data give the same file
        f.write(gzip.compress(buffer.getvalue().encode("utf-8"), mtime=0))


def main(src: Path) -> None:
    fiches = read(src, "referentiel_code_rome")
    write("fiches", ["code_rome", "code_ogr", "libelle"],
          [[r["code_rome"], r["code_ogr"], r["libelle_rome"]] for r in fiches])
    write("appellations", ["code_ogr", "libelle", "libelle_court", "code_rome"],
          [[r["code_ogr"], r["libelle_appellation_long"], r["libelle_appellation_court"],
            r["code_rome"]] for r in read(src, "referentiel_appellation")])
    comp = {r["code_ogr"]: r for r in read(src, "referentiel_competence")}
    savoirs = {r["code_ogr_savoir"]: r for r in read(src, "referentiel_savoir")}
    contexts = {r["code_ogr"]: r for r in read(src, "referentiel_contexte_travail")}
    core = {(r["code_rome"], r["code_ogr"]): r["coeur_metier"] for r in read(src, "coherence_item")}
    links = read(src, "liens_rome_referentiels")
    kinds = {"1": "sf", "2": "se", "3": "savoir"}
    fiche_skills, fiche_contexts, used = [], [], set()
    for r in links:
        if r["code_compo_bloc"] == "5" and r["code_rubrique"] in kinds:
            kind = kinds[r["code_rubrique"]]
            fiche_skills.append([r["code_rome"], r["code_ogr"], kind,
                                 1 if core.get((r["code_rome"], r["code_ogr"])) == "Principale" else 0])
            used.add(r["code_ogr"])
            if kind == "sf" and comp[r["code_ogr"]]["code_ogr_macro_comp"]:
                used.add(comp[r["code_ogr"]]["code_ogr_macro_comp"])
        elif r["code_compo_bloc"] == "6":
            fiche_contexts.append([r["code_rome"], r["code_ogr"]])
    skills = []
    for code in sorted(used, key=int):
        if code in comp:
            c = comp[code]
            kind = "se" if c["cat_comp"].startswith("Savoir-être") else "sf"
            skills.append([code, kind, c["libelle_competence"], c["code_ogr_macro_comp"],
                           1 if c["nature"] == "Macro-compétence" else 0])
        else:
            skills.append([code, "savoir", savoirs[code]["libelle_savoir"], "", 0])
    write("skills", ["code_ogr", "kind", "libelle", "macro_code_ogr", "is_macro"], skills)
    write("fiche_skills", ["code_rome", "code_ogr", "kind", "core"], fiche_skills)
    write("contexts", ["code_ogr", "libelle", "type_libelle"],
          [[c["code_ogr"], c["libelle_cont_travail"], c["libelle_type_cont_trav"]]
           for c in contexts.values()])
    write("fiche_contexts", ["code_rome", "code_ogr"], fiche_contexts)
    write("mobility", ["code_rome", "code_rome_cible", "ordre"],
          [[r["code_rome"], r["code_rome_cible"], r["numero_ordre"]]
           for r in read(src, "rubrique_mobilite")])


if __name__ == "__main__":
    main(Path(sys.argv[1]))
