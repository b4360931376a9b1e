"""The SQLAlchemy 2 app of the framework test (tests/frameworks.rs): a blog whose declarative
models use DateTime(timezone=True), Uuid, Interval, Enum (a Python enum), JSON and Numeric(10,2),
besides Integer keys, String, Text, Boolean, Float, a naive DateTime and foreign keys.

The database comes from APP_DB: sqlite:///abs/path.db or postgres://user@host:port/dbname.

SQLite keeps no offset: SQLAlchemy's DateTime(timezone=True) writes an aware datetime's wall
time and reads it back naive. UTCDateTime is the usual remedy (SQLAlchemy's documentation has
it): stored in UTC, read back aware in UTC, on either database; its column is an ordinary
DateTime(timezone=True), `timestamp with time zone` on PostgreSQL.
"""
import datetime as dt
import enum
import os
import uuid
from decimal import Decimal
from typing import Optional
from urllib.parse import urlsplit

from sqlalchemy import (JSON, Boolean, DateTime, Enum, Float, ForeignKey, Integer, Interval, Numeric, String, Text,
                        TypeDecorator, Uuid, create_engine, event)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship


def engine_url(app_db=None):
    """SQLAlchemy's URL for an APP_DB URL."""
    url = app_db if app_db is not None else os.environ.get("APP_DB")
    if not url:
        raise SystemExit("APP_DB is not set: sqlite:///abs/path.db or postgres://user@host:port/dbname")
    if url.startswith("sqlite://"):
        path = url[len("sqlite://"):]
        while path.startswith("//"):
            path = path[1:]
        if not path.startswith("/"):
            raise SystemExit(f"APP_DB: a sqlite URL needs an absolute path (sqlite:///abs/path.db), not {url!r}")
        return "sqlite:///" + path  # four slashes in all: an absolute path
    scheme = urlsplit(url).scheme
    if scheme not in ("postgres", "postgresql"):
        raise SystemExit(f"APP_DB: expected sqlite:///PATH or postgres://..., not {url!r}")
    return "postgresql+psycopg" + url[len(scheme):]


def make_engine(app_db=None):
    """The app's engine; on SQLite with foreign keys enforced (ON DELETE CASCADE works there too)."""
    engine = create_engine(engine_url(app_db))
    if engine.dialect.name == "sqlite":
        @event.listens_for(engine, "connect")
        def _foreign_keys_on(dbapi_connection, _record):
            dbapi_connection.execute("PRAGMA foreign_keys = ON")
    return engine


class UTCDateTime(TypeDecorator):
    """Aware datetimes in, aware UTC datetimes out, on SQLite as on PostgreSQL."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None or value.utcoffset() is None:
            raise ValueError(f"naive datetime {value!r} for a UTCDateTime column")
        value = value.astimezone(dt.timezone.utc)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=dt.timezone.utc)
        return value.astimezone(dt.timezone.utc)


class Status(enum.Enum):
    """Stored by name (draft, published, ...), as SQLAlchemy's Enum does."""

    draft = "Entwurf ✎"
    published = "veröffentlicht"
    archived = "archived"
    under_review = "under review"


class Base(DeclarativeBase):
    pass


class Author(Base):
    __tablename__ = "authors"
    # AUTOINCREMENT on SQLite: ids are never reused there, even the highest one deleted.
    __table_args__ = {"sqlite_autoincrement": True}

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    email: Mapped[Optional[str]] = mapped_column(String(254), unique=True)
    bio: Mapped[Optional[str]] = mapped_column(Text)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    joined_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    external_id: Mapped[uuid.UUID] = mapped_column(Uuid, unique=True)

    posts: Mapped[list["Post"]] = relationship(back_populates="author", cascade="all, delete-orphan", passive_deletes=True)


class Post(Base):
    __tablename__ = "posts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    author_id: Mapped[int] = mapped_column(ForeignKey("authors.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    body: Mapped[Optional[str]] = mapped_column(Text)
    status: Mapped[Status] = mapped_column(Enum(Status, name="post_status"))
    published_at: Mapped[Optional[dt.datetime]] = mapped_column(UTCDateTime)
    remind_at: Mapped[Optional[dt.datetime]] = mapped_column(DateTime)  # naive wall time, on purpose
    reading_time: Mapped[Optional[dt.timedelta]] = mapped_column(Interval)
    meta: Mapped[Optional[dict]] = mapped_column(JSON)
    price: Mapped[Optional[Decimal]] = mapped_column(Numeric(10, 2))
    token: Mapped[Optional[uuid.UUID]] = mapped_column(Uuid)
    score: Mapped[Optional[float]] = mapped_column(Float)
    pinned: Mapped[Optional[bool]] = mapped_column(Boolean)

    author: Mapped[Author] = relationship(back_populates="posts")
    comments: Mapped[list["Comment"]] = relationship(back_populates="post", cascade="all, delete-orphan", passive_deletes=True)


class Comment(Base):
    __tablename__ = "comments"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    post_id: Mapped[int] = mapped_column(ForeignKey("posts.id", ondelete="CASCADE"), index=True)
    author_name: Mapped[str] = mapped_column(String(100))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    edit_window: Mapped[Optional[dt.timedelta]] = mapped_column(Interval)
    approved: Mapped[bool] = mapped_column(Boolean, default=False)
    extra: Mapped[Optional[dict]] = mapped_column(JSON)

    post: Mapped[Post] = relationship(back_populates="comments")
