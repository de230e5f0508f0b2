"""On PostgreSQL the shared cache's table is UNLOGGED: its rows are never written to the write-ahead log.

Everything in it (the API throttle's counts) may be lost, and is, in a crash: an unlogged table is emptied on
recovery, which costs nothing but a fresh count. In exchange a request whose only write is its throttle count (every
read with an API token, an import's preview) commits without waiting for the log to reach the disk, which under load
took longer than the request's own work. Sign-in lockouts (django-axes) are in their own, logged tables.
"""

from django.conf import settings
from django.db import migrations


def set_unlogged(logged: bool):
    def operation(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return
        table = schema_editor.quote_name(settings.CACHES["default"]["LOCATION"])
        schema_editor.execute(f"ALTER TABLE {table} SET {'LOGGED' if logged else 'UNLOGGED'}")

    return operation


class Migration(migrations.Migration):
    dependencies = [("tracker", "0010_sign_on_identity")]

    operations = [migrations.RunPython(set_unlogged(logged=False), set_unlogged(logged=True))]
