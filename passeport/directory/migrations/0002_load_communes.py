"""Load the French communes shipped in passeport/directory/data/communes.csv.gz (about
35,000 rows, a few seconds), so that a plain `migrate` gives a working directory."""

from django.db import migrations


def load(apps, schema_editor):
    from passeport.directory.communes import load_communes

    load_communes(apps.get_model("directory", "Commune"),
                  apps.get_model("directory", "CommunePostalCode"))


def unload(apps, schema_editor):
    apps.get_model("directory", "CommunePostalCode").objects.all().delete()
    apps.get_model("directory", "Commune").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("directory", "0001_directory_and_orientations")]

    operations = [migrations.RunPython(load, unload, elidable=True)]
