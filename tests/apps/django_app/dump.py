"""Read every object of every installed model (auth, contenttypes, sessions, admin, the shop,
the M2M tables, and django_migrations but for its `applied` times) through Django's ORM on
APP_DB, in key order, and write each field in canonical form (../canonical.py) to OUT.json. Two
dumps of the same data compare equal, field by field, type and value. On SQLite,
sqlite_sequence's high-water marks go along (write_check.py wants new ids past them); they are
not part of the comparison.

    APP_DB=... python dump.py OUT.json
"""
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.dirname(HERE))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "djproject.settings")

import django  # noqa: E402

django.setup()

from django.apps import apps  # noqa: E402
from django.db import connection, models  # noqa: E402
from django.db.migrations.recorder import MigrationRecorder  # noqa: E402

from canonical import canonical, write_dump  # noqa: E402


def read_model(model, leave_out=()):
    fields = [f for f in model._meta.concrete_fields if f.attname not in leave_out]
    # SQL NULL and JSON null both read as None: ask the database which is which.
    sql_null = {f.attname: set(model._base_manager.filter(**{f"{f.name}__isnull": True}).values_list("pk", flat=True))
                for f in fields if isinstance(f, models.JSONField)}
    rows = []
    for obj in model._base_manager.order_by("pk"):
        values = {}
        for f in fields:
            v = getattr(obj, f.attname)
            if f.attname in sql_null and v is None:
                values[f.attname] = ["NoneType", "SQL NULL" if obj.pk in sql_null[f.attname] else "JSON null"]
            else:
                values[f.attname] = canonical(v)
        rows.append((obj.pk, values))
    return {"table": model._meta.db_table, "rows": rows}


def main(out):
    dumped = {m._meta.label: read_model(m) for m in apps.get_models(include_auto_created=True)}
    # The migrations recorded, but not when: PostgreSQL's own `migrate` ran them at its own time,
    # and its record may stay the target's (sqlite2pg keeps a migrator's bookkeeping tables).
    recorder = MigrationRecorder(connection).Migration
    dumped[recorder._meta.label] = read_model(recorder, leave_out=("applied",))
    sequences = {}
    if connection.vendor == "sqlite":
        with connection.cursor() as c:
            c.execute("SELECT name, seq FROM sqlite_sequence")
            sequences = dict(c.fetchall())
    write_dump(out, "django", connection.vendor, dumped, sequences)
    print(f"dumped {sum(len(m['rows']) for m in dumped.values())} rows of {len(dumped)} models from {connection.vendor}")


if __name__ == "__main__":
    if len(sys.argv) != 2:
        raise SystemExit("usage: APP_DB=... python dump.py OUT.json")
    main(sys.argv[1])
