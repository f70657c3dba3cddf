"""Load the ROME 4.0 referential shipped in passeport/jobs/data/ (about 150,000 rows, a
few seconds), so that a plain `migrate` gives working autocomplete and matching."""

from django.db import migrations


def load(apps, schema_editor):
    from passeport.jobs.rome import MODEL_NAMES, load_rome

    load_rome({name: apps.get_model("jobs", name) for name in MODEL_NAMES})


def unload(apps, schema_editor):
    for name in ["RomeMobility", "RomeFicheContext", "RomeFicheSkill", "RomeWorkContext",
                 "RomeSkill", "RomeAppellation", "RomeFiche"]:
        apps.get_model("jobs", name).objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("jobs", "0001_rome_employers_offers_immersions")]

    operations = [migrations.RunPython(load, unload, elidable=True)]
