"""The grids shipped with Passeport: DigComp 2.2 and transversal skills."""

from django.db import migrations

from passeport.skills import referentials as ref


def load(apps, schema_editor):
    Grid = apps.get_model("skills", "Grid")
    GridItem = apps.get_model("skills", "GridItem")
    digcomp, _ = Grid.objects.update_or_create(code=ref.DIGCOMP_CODE, defaults={
        "kind": "digital", "name": "Compétences numériques (DigComp 2.2)",
        "description": "Cadre européen des compétences numériques des citoyens, 5 domaines et 21 compétences.",
        "self_assessable": True})
    for position, (code, label) in enumerate(ref.DIGCOMP_COMPETENCES):
        area = code.split(".")[0]
        GridItem.objects.update_or_create(grid=digcomp, code=code, defaults={
            "group": area, "label": label, "position": position,
            "descriptors": {str(k): v[2] for k, v in ref.DIGCOMP_LEVELS.items()}})
    transversal, _ = Grid.objects.update_or_create(code=ref.TRANSVERSAL_CODE, defaults={
        "kind": "transversal", "name": "Compétences transversales",
        "description": "Savoir-être observés en situation de travail, utiles dans tous les métiers."})
    for position, (code, label, descriptors) in enumerate(ref.TRANSVERSAL_ITEMS):
        GridItem.objects.update_or_create(grid=transversal, code=code, defaults={
            "label": label, "position": position,
            "descriptors": {str(i + 1): d for i, d in enumerate(descriptors)}})


class Migration(migrations.Migration):
    dependencies = [("skills", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
