"""Build the blog's schema with its alembic migrations, then write its data through SQLAlchemy's
ORM on the database APP_DB names.

Deterministic (fixed lists and a seeded random): some dozens of rows per table, rows created then
deleted (gaps in the ids, the highest ids among them, ON DELETE CASCADE through both foreign
keys), NULLs in every nullable column, JSON null and SQL NULL both, non-ASCII text, aware
datetimes from several zones, negative and multi-day intervals, every enum member.

    APP_DB=sqlite:///abs/path.db python populate.py
"""
import datetime as dt
import os
import random
import sys
import uuid
from decimal import Decimal
from zoneinfo import ZoneInfo

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

from alembic import command  # noqa: E402
from alembic.config import Config  # noqa: E402
from sqlalchemy import delete, func, null, select  # noqa: E402
from sqlalchemy.orm import Session  # noqa: E402

from models import Author, Comment, Post, Status, make_engine  # noqa: E402

R = random.Random(2)
ZONES = [dt.timezone.utc, ZoneInfo("Europe/Berlin"), ZoneInfo("Asia/Tokyo"), ZoneInfo("America/New_York"),
         ZoneInfo("Asia/Kathmandu"), ZoneInfo("Pacific/Chatham"), dt.timezone(dt.timedelta(hours=-9, minutes=-30))]
WORDS = ["hello", "café", "日本語", "Ελληνικά", "Привет", "emoji 🎉", "tab\there", "line\nbreak", "quote ' \" \\",
         "straße", "😀👍🏽", "  padded  ", "Ünïcödé", ""]
INTERVALS = [dt.timedelta(0), dt.timedelta(days=-1), dt.timedelta(seconds=-30), dt.timedelta(days=3, hours=4, microseconds=7),
             dt.timedelta(days=-400, seconds=5), dt.timedelta(microseconds=1), dt.timedelta(days=10000, minutes=1),
             dt.timedelta(hours=36), dt.timedelta(microseconds=-1), dt.timedelta(minutes=90, seconds=0.25)]
PRICES = ["0.00", "0.01", "9.99", "10.00", "12.50", "-3.75", "99999999.99", "-99999999.99", "1234.56", "5"]
FLOATS = [0.1, -1.5, 1e-310, 1.7976931348623157e308, 2.5, 0.0, float("inf"), float("-inf"), 1 / 3, 123.456]
JSONS = [{"tags": ["a", "b"], "n": 1, "f": 1.5, "ok": True, "none": None, "ünï": "日本"}, [1, 2, [3, [4]]], "bare string",
         "", 0, 12345678901234, -2.5, True, False, None, [], {}, {"emoji": "🎉", "esc": "\"\\\n\t"}]


def moment():
    zone = R.choice(ZONES)
    base = dt.datetime(1960, 1, 1) + dt.timedelta(days=R.randrange(0, 70 * 365), seconds=R.randrange(0, 86400))
    return base.replace(microsecond=R.choice([0, R.randrange(0, 1000000)]), tzinfo=zone)


def words(i, n=3):
    return " ".join(R.choice(WORDS) for _ in range(n)) + f" #{i}"


def json_value(i):
    """A JSON document; every 9th a SQL NULL rather than JSON null."""
    return null() if i % 9 == 4 else JSONS[i % len(JSONS)]


def populate(session):
    statuses = list(Status)
    authors = [Author(name=words(i, 2)[:100], email=None if i % 6 == 0 else f"a{i}@exämple.org", bio=None if i % 4 == 0 else words(i, 8),
                      active=i % 5 != 0, joined_at=moment(), external_id=uuid.UUID(int=R.getrandbits(128)) if i else uuid.UUID(int=0))
               for i in range(30)]
    session.add_all(authors)
    session.flush()
    posts = []
    for i in range(70):
        posts.append(Post(
            author=authors[(i * 7) % len(authors)], title=words(i, 2)[:200], body=None if i % 8 == 0 else words(i, 10),
            status=statuses[i % len(statuses)], published_at=None if i % 5 == 0 else moment(),
            remind_at=None if i % 3 == 0 else moment().replace(tzinfo=None),
            reading_time=None if i % 11 == 0 else INTERVALS[i % len(INTERVALS)], meta=json_value(i),
            price=None if i % 7 == 0 else Decimal(PRICES[i % len(PRICES)]),
            token=None if i % 4 == 0 else uuid.UUID(int=R.getrandbits(128)),
            score=None if i % 6 == 0 else FLOATS[i % len(FLOATS)], pinned=[True, False, None][i % 3]))
    session.add_all(posts)
    session.flush()
    comments = []
    for i in range(90):
        comments.append(Comment(
            post=posts[(i * 5) % len(posts)], author_name=R.choice(WORDS) or "anonymous", body=words(i, 5), created_at=moment(),
            edit_window=None if i % 4 == 0 else INTERVALS[(i * 3) % len(INTERVALS)], approved=i % 3 == 0, extra=json_value(i + 1)))
    session.add_all(comments)
    session.flush()
    # Deletions: ON DELETE CASCADE (authors -> posts -> comments) and the highest ids.
    for a in (authors[4], authors[-1]):
        session.delete(a)
    for p in (posts[10], posts[-1]):
        session.delete(p)
    session.flush()
    session.execute(delete(Comment).where(Comment.id.in_([comments[0].id, comments[-1].id, comments[-2].id])))


def main():
    command.upgrade(Config(os.path.join(HERE, "alembic.ini")), "head")
    engine = make_engine()
    with Session(engine) as session, session.begin():
        populate(session)
    with Session(engine) as session:
        counts = {m.__tablename__: session.scalar(select(func.count()).select_from(m)) for m in (Author, Post, Comment)}
    engine.dispose()
    print("populated:", ", ".join(f"{n} {t}" for t, n in counts.items()))


if __name__ == "__main__":
    main()
