"""The grids shipped with Passeport: DigComp 2.2 and transversal skills."""

from django.db import migrations

from passeport.skills import referentials as ref


def load(apps, schema_editor):
    ref.load_shipped_grids(apps.get_model("skills", "Grid"), apps.get_model("skills", "GridItem"))


class Migration(migrations.Migration):
    dependencies = [("skills", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
