"""On the migrated database APP_DB names: create one new row in every table through SQLAlchemy's
ORM; check each new id is past the largest id before (and past SQLite's sqlite_sequence
high-water mark, when the SQLite dump is given), that the foreign keys and relationships work
(ON DELETE CASCADE included), that the enum, unique constraints and every type read back as
written. Exits 1 naming every failure.

    APP_DB=postgres://... python write_check.py [SQLITE_DUMP.json]
"""
import datetime as dt
import json
import os
import sys
import uuid
from decimal import Decimal

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from sqlalchemy import func, select  # noqa: E402
from sqlalchemy.exc import IntegrityError  # noqa: E402
from sqlalchemy.orm import Session  # noqa: E402

from models import Author, Comment, Post, Status, make_engine  # noqa: E402

failures = []


def check(ok, message):
    if not ok:
        failures.append(message)


def stop_on_failures():
    if failures:
        print("write check FAILED:", *failures, sep="\n  ", file=sys.stderr)
        sys.exit(1)


def main(sqlite_dump):
    high_water = {}
    if sqlite_dump:
        with open(sqlite_dump, encoding="utf-8") as f:
            high_water = json.load(f)["sqlite_sequence"]
    engine = make_engine()
    tables = (Author, Post, Comment)
    with Session(engine) as s:
        before = {m: s.scalar(select(func.max(m.id))) for m in tables}
        for m, top in before.items():
            check(top is not None, f"{m.__tablename__} is empty before the check: the data did not arrive")
        stop_on_failures()
        old_author = s.scalars(select(Author).order_by(Author.id)).first()
        old_post = s.scalars(select(Post).order_by(Post.id.desc())).first()
        old_comments = len(old_post.comments)

    zone = dt.timezone(dt.timedelta(hours=-2, minutes=-30))
    wrote = dict(title="Schreibprobe ✓", body="日本語\n", status=Status.under_review,
                 published_at=dt.datetime(1969, 12, 31, 23, 59, 59, 999999, tzinfo=dt.timezone.utc),
                 remind_at=dt.datetime(2024, 3, 31, 2, 30), reading_time=dt.timedelta(days=-3, seconds=1, microseconds=2),
                 meta={"neu": [1, 2.5, "drei", None, True]}, price=Decimal("-0.01"), token=uuid.UUID(int=2**128 - 1),
                 score=-0.25, pinned=None)
    with Session(engine) as s, s.begin():
        author = Author(name="Zoë Write", email="write@check.example", bio=None, active=True,
                        joined_at=dt.datetime(2024, 10, 27, 1, 30, tzinfo=zone), external_id=uuid.uuid4())
        post = Post(author=author, **wrote)
        comment = Comment(post=post, author_name="ich", body="erster ✓", created_at=dt.datetime.now(dt.timezone.utc),
                          edit_window=dt.timedelta(minutes=-5), approved=True, extra="bare")
        old_comment = Comment(post_id=old_post.id, author_name="old post", body="a comment on a copied post",
                              created_at=dt.datetime.now(dt.timezone.utc), extra=None)
        s.add_all([author, post, comment, old_comment])
        s.flush()
        new = {Author: author, Post: post, Comment: comment}
        for m in tables:
            floor = max(before[m] or 0, high_water.get(m.__tablename__, 0))
            check(new[m].id > floor, f"{m.__tablename__}: new id {new[m].id} is not past the old ones (largest id {before[m]}, "
                                     f"sqlite_sequence {high_water.get(m.__tablename__)})")
        check(old_comment.id > comment.id, f"comments: ids do not increase ({comment.id}, then {old_comment.id})")
        ids = (author.id, post.id, comment.id, old_comment.id)

    with Session(engine) as s:
        author, post, comment, old_comment = s.get(Author, ids[0]), s.get(Post, ids[1]), s.get(Comment, ids[2]), s.get(Comment, ids[3])
        for name, value in wrote.items():
            got = getattr(post, name)
            check(got == value and type(got) is type(value), f"posts.{name}: wrote {value!r}, read {got!r}")
        check(author.joined_at == dt.datetime(2024, 10, 27, 4, 0, tzinfo=dt.timezone.utc), f"authors.joined_at: {author.joined_at!r}")
        check(post.author is author and author.posts == [post], "author <-> posts")
        check(post.comments == [comment] and comment.extra == "bare", "post <-> comments")
        check(len(s.get(Post, old_post.id).comments) == old_comments + 1, "a new comment on a copied post")
        check(s.get(Author, old_author.id).posts is not None, "a copied author's posts")
        check(s.scalar(select(func.count()).select_from(Post).where(Post.status == Status.under_review)) >= 1, "enum filter")

    # The unique constraints are there.
    for dup in (dict(email="write@check.example"), dict(external_id=None)):
        with Session(engine) as s:
            try:
                with s.begin():
                    a = s.get(Author, ids[0])
                    s.add(Author(name="dup", active=True, joined_at=dt.datetime.now(dt.timezone.utc),
                                 email=dup.get("email"), external_id=dup.get("external_id") or a.external_id))
                failures.append(f"authors: a duplicate {sorted(dup)[0]} was accepted")
            except IntegrityError:
                pass

    # ON DELETE CASCADE in the database: author -> post -> comment.
    with Session(engine) as s, s.begin():
        s.delete(s.get(Author, ids[0]))
    with Session(engine) as s:
        check(s.get(Post, ids[1]) is None and s.get(Comment, ids[2]) is None, "ON DELETE CASCADE author -> post -> comment")
    engine.dispose()

    stop_on_failures()
    print(f"write check passed: {len(tables)} tables got a new row past the old ids")


if __name__ == "__main__":
    try:
        main(sys.argv[1] if len(sys.argv) > 1 else None)
    except IntegrityError as e:
        # The usual cause: an identity or sequence left behind the copied ids.
        print(f"write check FAILED: a new row was refused (an identity or sequence not past the copied ids?): {e}",
              file=sys.stderr)
        sys.exit(1)
