"""The table of the shared cache (settings.CACHES: Django's DatabaseCache).

Created by a migration rather than a separate `createcachetable` step, because `migrate` is the one step every
environment already runs: tests, `make run`, CI, the contract run and each deployment.
"""

from django.core.management import call_command
from django.db import migrations


def create_cache_table(apps, schema_editor):
    call_command("createcachetable", database=schema_editor.connection.alias, verbosity=0)


class Migration(migrations.Migration):
    dependencies = [("tracker", "0003_api_tokens")]

    operations = [migrations.RunPython(create_cache_table, migrations.RunPython.noop)]
