"""The canonical form of a value an ORM read, shared by the apps' dump.py scripts.

Each value becomes [python type name, canonical text], so two dumps compare exactly: the same
type and the same value. Datetimes: "aware" with the instant in UTC, or "naive" with the wall
time; Decimal with its exponent (12.5 and 12.50 differ); bytes, bytearray and memoryview all as
"bytes" in hex; JSON containers as sorted-key JSON (1, 1.0 and true stay apart); enums by class,
name and value; floats by repr (every bit).
"""
import datetime as dt
import enum
import json
import uuid
from decimal import Decimal


def canonical(v):
    if v is None:
        return ["NoneType", "None"]
    if isinstance(v, enum.Enum):
        return [type(v).__name__, f"{type(v).__name__}.{v.name}={v.value!r}"]
    if isinstance(v, bool):
        return ["bool", repr(v)]
    if isinstance(v, int):
        return ["int", str(v)]
    if isinstance(v, float):
        return ["float", repr(v)]
    if isinstance(v, Decimal):
        return ["Decimal", f"{v} (exponent {v.as_tuple().exponent})"]
    if isinstance(v, str):
        return ["str", v]
    if isinstance(v, (bytes, bytearray, memoryview)):
        return ["bytes", bytes(v).hex()]
    if isinstance(v, dt.datetime):
        if v.tzinfo is None or v.utcoffset() is None:
            return ["datetime", "naive " + v.isoformat()]
        return ["datetime", "aware " + v.astimezone(dt.timezone.utc).isoformat()]
    if isinstance(v, dt.date):
        return ["date", v.isoformat()]
    if isinstance(v, dt.time):
        return ["time", v.isoformat() + (" aware" if v.tzinfo else " naive")]
    if isinstance(v, dt.timedelta):
        return ["timedelta", f"{v.days} days {v.seconds} s {v.microseconds} us"]
    if isinstance(v, uuid.UUID):
        return ["UUID", str(v)]
    if isinstance(v, (dict, list)):
        return [type(v).__name__, json.dumps(v, sort_keys=True, ensure_ascii=False)]
    return [type(v).__name__, repr(v)]


def sort_key(pk):
    """Rows in key order, whatever the database's collation: by type, then value."""
    return (type(pk).__name__, pk)


def write_dump(path, framework, backend, models, sequences):
    """models: {label: {"table": name, "rows": [(pk, {field: value})]}}; sequences: {table: seq}."""
    out = {"framework": framework, "backend": backend, "models": {}, "sqlite_sequence": sequences}
    for label, model in sorted(models.items()):
        rows = {}
        for pk, fields in sorted(model["rows"], key=lambda r: sort_key(r[0])):
            key = ":".join(canonical(pk))
            if key in rows:
                raise SystemExit(f"{label}: primary key {pk!r} read twice")
            rows[key] = fields
        out["models"][label] = {"table": model["table"], "rows": rows}
    with open(path, "w", encoding="utf-8") as f:
        json.dump(out, f, ensure_ascii=False, indent=1)
        f.write("\n")
    return out
