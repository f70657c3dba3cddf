"""The person may self-assess the shipped transversal grid too (reloads the shipped grids)."""

from django.db import migrations

from passeport.skills import referentials as ref


def load(apps, schema_editor):
    ref.load_shipped_grids(apps.get_model("skills", "Grid"), apps.get_model("skills", "GridItem"))


class Migration(migrations.Migration):
    dependencies = [("skills", "0003_issuer_jwt_key")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
