"""Read every object of every mapped class (and alembic_version) through SQLAlchemy's ORM on
APP_DB, in key order, and write each column in canonical form (../canonical.py) to OUT.json.
Two dumps of the same data compare equal, field by field, type and value. JSON columns tell SQL
NULL from JSON null. On SQLite, sqlite_sequence's high-water marks go along (write_check.py
wants new ids past them); they are not part of the comparison.

    APP_DB=... python dump.py OUT.json
"""
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.dirname(HERE))

from sqlalchemy import JSON, select, text  # noqa: E402
from sqlalchemy.orm import Session  # noqa: E402

from canonical import canonical, write_dump  # noqa: E402
from models import Base, make_engine  # noqa: E402


def read_mapper(session, mapper):
    cls = mapper.class_
    (pk,) = mapper.primary_key
    columns = [(attr.key, attr.columns[0]) for attr in mapper.column_attrs]
    sql_null = {key: set(session.scalars(select(pk).where(col.is_(None)))) for key, col in columns if isinstance(col.type, JSON)}
    rows = []
    for obj in session.scalars(select(cls).order_by(pk)):
        values = {}
        for key, _ in columns:
            v = getattr(obj, key)
            if key in sql_null and v is None:
                ident = getattr(obj, pk.key)
                values[key] = ["NoneType", "SQL NULL" if ident in sql_null[key] else "JSON null"]
            else:
                values[key] = canonical(v)
        rows.append((getattr(obj, pk.key), values))
    return {"table": mapper.local_table.name, "rows": rows}


def main(out):
    engine = make_engine()
    with Session(engine) as session:
        dumped = {m.class_.__name__: read_mapper(session, m) for m in Base.registry.mappers}
        versions = session.execute(text("SELECT version_num FROM alembic_version")).scalars().all()
        dumped["alembic_version"] = {"table": "alembic_version", "rows": [(v, {"version_num": canonical(v)}) for v in versions]}
        sequences = {}
        if engine.dialect.name == "sqlite":
            sequences = dict(session.execute(text("SELECT name, seq FROM sqlite_sequence")).tuples().all())
    write_dump(out, "sqlalchemy", engine.dialect.name, dumped, sequences)
    engine.dispose()
    print(f"dumped {sum(len(m['rows']) for m in dumped.values())} rows of {len(dumped)} models from {engine.dialect.name}")


if __name__ == "__main__":
    if len(sys.argv) != 2:
        raise SystemExit("usage: APP_DB=... python dump.py OUT.json")
    main(sys.argv[1])
