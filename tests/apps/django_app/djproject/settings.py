"""Settings of the framework test project: Django's defaults (startproject) but the database,
which comes from APP_DB:

    APP_DB=sqlite:///abs/path.db
    APP_DB=postgres://user[:password]@host[:port]/dbname[?sslmode=...]

USE_TZ is on and TIME_ZONE is not UTC, so a converter that shifts datetimes shows.
"""
import os
from pathlib import Path
from urllib.parse import parse_qsl, unquote, urlsplit

BASE_DIR = Path(__file__).resolve().parent.parent


def database_from_url(url):
    """Django's DATABASES["default"] for an APP_DB URL."""
    if url.startswith("sqlite://"):
        path = url[len("sqlite://"):]
        while path.startswith("//"):
            path = path[1:]
        if not path.startswith("/"):
            raise ValueError(f"APP_DB: a sqlite URL needs an absolute path (sqlite:///abs/path.db), not {url!r}")
        return {"ENGINE": "django.db.backends.sqlite3", "NAME": path}
    parts = urlsplit(url)
    if parts.scheme not in ("postgres", "postgresql"):
        raise ValueError(f"APP_DB: expected sqlite:///PATH or postgres://..., not {url!r}")
    return {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": unquote(parts.path.lstrip("/")),
        "USER": unquote(parts.username or ""),
        "PASSWORD": unquote(parts.password or ""),
        "HOST": parts.hostname or "",
        "PORT": str(parts.port or ""),
        "OPTIONS": dict(parse_qsl(parts.query)),
    }


if "APP_DB" not in os.environ:
    raise SystemExit("APP_DB is not set: sqlite:///abs/path.db or postgres://user@host:port/dbname")

DATABASES = {"default": database_from_url(os.environ["APP_DB"])}

SECRET_KEY = "django-insecure-sqlite2pg-framework-test-only"
DEBUG = False
ALLOWED_HOSTS = ["localhost"]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "shop",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "djproject.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

AUTH_PASSWORD_VALIDATORS = []

LANGUAGE_CODE = "en-us"
TIME_ZONE = "Europe/Berlin"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
