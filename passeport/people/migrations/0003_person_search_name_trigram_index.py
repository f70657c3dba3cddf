"""PostgreSQL only: a trigram index on Person.search_name, so that the name search
(`search_name LIKE '%word%'`, accent- and case-insensitive through the normalised
column) reads the index instead of every person. SQLite has no such index: the search
there scans the (small) search_name index."""

from django.db import migrations


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    # pg_trgm is a trusted extension (PostgreSQL >= 13): the database owner may create it.
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    schema_editor.execute(
        "CREATE INDEX IF NOT EXISTS person_search_name_trgm ON people_person "
        "USING gin (search_name gin_trgm_ops)"
    )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS person_search_name_trgm")


class Migration(migrations.Migration):
    dependencies = [("people", "0002_consent_active_covering_index")]

    operations = [migrations.RunPython(create, drop, elidable=False)]
