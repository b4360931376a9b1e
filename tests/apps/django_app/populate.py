"""Write the shop's data through Django's ORM on the database APP_DB names (migrating it first).

Deterministic (fixed lists and a seeded random; Django itself randomises session keys and
password salts): some dozens of rows per model, rows created then deleted (gaps in the ids, the
highest ids among them), NULLs in every nullable field, non-ASCII text, aware datetimes from
several zones, JSON objects, arrays and bare scalars (and a JSON null beside SQL NULLs), negative
durations, IPv4 and IPv6 addresses, a superuser, groups and permissions, sessions written by the
session store and admin log entries.

    APP_DB=sqlite:///abs/path.db python populate.py
"""
import datetime as dt
import os
import random
import sys
import uuid
from decimal import Decimal
from zoneinfo import ZoneInfo

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "djproject.settings")
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import django  # noqa: E402

django.setup()

from django.contrib.admin.models import ADDITION, CHANGE, DELETION, LogEntry  # noqa: E402
from django.contrib.auth.models import Group, Permission, User  # noqa: E402
from django.contrib.contenttypes.models import ContentType  # noqa: E402
from django.contrib.sessions.backends.db import SessionStore  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import models, transaction  # noqa: E402

from shop.models import Category, Customer, Order, OrderLine, Product, Tag  # noqa: E402

R = random.Random(14)
ZONES = [dt.timezone.utc, ZoneInfo("Europe/Berlin"), ZoneInfo("Asia/Tokyo"), ZoneInfo("America/Los_Angeles"),
         ZoneInfo("Asia/Kolkata"), ZoneInfo("Australia/Adelaide"), dt.timezone(dt.timedelta(hours=-3, minutes=-30))]
WORDS = ["alpha", "café", "naïve", "日本", "東京タワー", "Ελληνικά", "Привет", "emoji 🎉", "tab\there", "line\nbreak",
         "quote ' \" \\ back", "zero", "  spaces  ", "Ünïcödé", "😀👍🏽", "mañana", "straße"]
IPS = ["192.168.0.1", "10.0.0.255", "0.0.0.0", "255.255.255.255", "2001:db8::1", "::1", "fe80::1ff:fe23:4567:890a",
       "::ffff:10.0.0.1", "2001:db8:85a3::8a2e:370:7334", "127.0.0.1"]
PRICES = ["0.00", "0.01", "0.10", "1.00", "12.50", "12.00", "99.99", "-5.10", "99999999.99", "-99999999.99", "1234.56", "7"]
FLOATS = [0.1, 1.5, -2.25, 1e-300, 1e300, 3.141592653589793, 0.0, -0.0, 123456789.123456789, 2.0**53 + 2, float("inf"), 1 / 3]
DURATIONS = [dt.timedelta(0), dt.timedelta(days=-1), dt.timedelta(microseconds=-1), dt.timedelta(days=3, hours=4, seconds=5),
             dt.timedelta(days=365 * 3), dt.timedelta(seconds=1, microseconds=500000), dt.timedelta(days=-40, minutes=-7),
             dt.timedelta(hours=25), dt.timedelta(microseconds=1), dt.timedelta(days=999999)]
JSONS = [
    {"color": "red", "size": [1, 2, 3], "nested": {"a": None, "b": True, "ünï": "日本"}},
    [1, "two", 3.5, None, False, {"k": []}],
    "a bare string",
    "",
    42,
    -7,
    3.25,
    0.1,
    True,
    False,
    [],
    {},
    {"emoji": "🎉", "quote": "\"'\\", "newline": "a\nb", "big": 9007199254740993, "neg": -0.5},
    {"z": 1, "a": 2, "m": {"y": [], "b": {}}},
]


def moment(i):
    """An aware datetime in one of several zones; some with microseconds, some before 1970."""
    zone = ZONES[i % len(ZONES)]
    base = dt.datetime(1965, 1, 1) + dt.timedelta(days=R.randrange(0, 60 * 365), seconds=R.randrange(0, 86400))
    micro = 0 if i % 3 == 0 else R.randrange(0, 1000000)
    return base.replace(microsecond=micro, tzinfo=zone)


def day(i):
    return dt.date(1950, 1, 1) + dt.timedelta(days=R.randrange(0, 100 * 365))


def text(i, n=3):
    return " ".join(R.choice(WORDS) for _ in range(n)) + f" #{i}"


def blob(i):
    sizes = [0, 1, 3, 16, 255, 1024]
    size = sizes[i % len(sizes)]
    return bytes(R.randrange(0, 256) for _ in range(size)) if i % 5 else b"\x00\xff\x00" * size


@transaction.atomic
def populate():
    admin = User.objects.create_superuser("admin", "admin@example.org", "correct horse battery staple")
    admin.first_name, admin.last_name, admin.last_login = "Zoë", "Ångström", moment(1)
    admin.date_joined = moment(2)
    admin.save()
    users = [admin]
    for i in range(12):
        u = User(username=f"user{i}", email=f"user{i}@example.org" if i % 4 else "", first_name=R.choice(WORDS)[:30],
                 last_name=R.choice(["Müller", "佐藤", "O'Brien", ""]), is_staff=i % 3 == 0, is_active=i % 5 != 0,
                 date_joined=moment(i), last_login=None if i % 2 else moment(i + 1))
        u.password = admin.password  # one hash computed, not thirteen
        u.save()
        users.append(u)
    for u in users[-3:]:
        u.delete()
    users = users[:-3]
    editors = Group.objects.create(name="editors")
    viewers = Group.objects.create(name="viewers ✓")
    Group.objects.create(name="gone").delete()
    editors.permissions.set(Permission.objects.filter(content_type__app_label="shop"))
    viewers.permissions.set(Permission.objects.filter(codename__startswith="view_"))
    for i, u in enumerate(users[1:]):
        u.groups.add(editors if i % 2 else viewers)
        if i % 3 == 0:
            u.user_permissions.add(Permission.objects.get(codename="delete_order"))

    categories = [Category.objects.create(name=f"{w} {i}", description=text(i, 5) if i % 3 else "") for i, w in enumerate(WORDS[:12])]
    tags = [Tag.objects.create(label=f"tag-{i} {R.choice(WORDS)}"[:50], weight=FLOATS[i % len(FLOATS)]) for i in range(30)]
    customers = []
    for i in range(45):
        customers.append(Customer.objects.create(
            name=text(i, 2), email=None if i % 7 == 0 else f"c{i}@exämple.org", is_active=i % 4 != 0,
            is_vip=[True, False, None][i % 3], joined_at=moment(i), last_seen=None if i % 5 == 0 else moment(i + 7),
            birthday=None if i % 6 == 0 else day(i), last_ip=None if i % 8 == 0 else IPS[i % len(IPS)],
            external_id=uuid.UUID(int=R.getrandbits(128)) if i else uuid.UUID(int=0), notes=text(i, 4) if i % 2 else ""))
    products = []
    for i in range(70):
        p = Product.objects.create(
            category=categories[i % len(categories)], sku=f"SKU-{i:04d}", name=text(i, 2),
            description=None if i % 9 == 0 else text(i, 6), price=Decimal(PRICES[i % len(PRICES)]),
            discount=None if i % 4 == 0 else Decimal(PRICES[(i * 5) % len(PRICES)]),
            weight_kg=None if i % 10 == 0 else FLOATS[i % len(FLOATS)], stock=[0, 1, 2147483647, 17][i % 4],
            is_published=i % 3 != 0, attributes=None if i % 11 == 0 else JSONS[i % len(JSONS)],
            warranty=None if i % 7 == 0 else DURATIONS[i % len(DURATIONS)], thumbnail=None if i % 6 == 0 else blob(i),
            public_id=None if i % 5 == 0 else uuid.UUID(int=R.getrandbits(128)), released_on=day(i), created_at=moment(i))
        p.tags.set(R.sample(tags, i % 5))
        products.append(p)
    # JSON null, not SQL NULL, in one nullable JSON field.
    Product.objects.filter(pk=products[1].pk).update(attributes=models.Value(None, models.JSONField()))
    orders = []
    for i in range(60):
        o = Order.objects.create(
            customer=customers[(i * 7) % len(customers)], placed_at=moment(i + 100), shipped_on=None if i % 4 == 0 else day(i),
            total=Decimal(PRICES[(i * 3) % len(PRICES)]), paid=i % 2 == 0,
            processing_time=None if i % 5 == 0 else DURATIONS[(i * 3) % len(DURATIONS)],
            client_ip=None if i % 6 == 0 else IPS[(i * 3) % len(IPS)], payload=JSONS[(i * 5) % len(JSONS)], note=text(i, 1))
        for j in range(i % 4):
            OrderLine.objects.create(order=o, product=products[(i * 3 + j) % len(products)], quantity=j + 1,
                                     unit_price=Decimal(PRICES[(i + j) % len(PRICES)]))
        orders.append(o)

    # Deletions: CASCADEs through the foreign keys and the M2M table, and the highest ids.
    categories[3].delete()
    for t in (tags[5], tags[-1], tags[-2]):
        t.delete()
    for c in (customers[10], customers[-1]):
        c.delete()
    for p in (products[20], products[21], products[-1], products[-2]):
        p.delete()
    for o in (orders[7], orders[-1]):
        o.delete()
    OrderLine.objects.filter(pk=OrderLine.objects.order_by("-pk").values_list("pk", flat=True)[:1]).delete()

    # Sessions as the session store writes them (random keys, as Django makes them).
    session = SessionStore()
    session["cart"] = [1, 2, 3]
    session["greeting"] = "grüß dich 👋"
    session.set_expiry(dt.datetime(2031, 5, 6, 7, 8, 9, 123456, tzinfo=ZoneInfo("Asia/Tokyo")))
    session.create()
    other = SessionStore()
    other["user"] = admin.pk
    other.set_expiry(dt.datetime(2030, 1, 1, tzinfo=dt.timezone.utc))
    other.create()

    flags = [ADDITION, CHANGE, DELETION]
    for i, obj in enumerate(customers[:8] + products[:8] + orders[:8]):
        LogEntry.objects.create(
            action_time=moment(i + 200), user=admin, content_type=ContentType.objects.get_for_model(type(obj)),
            object_id=str(obj.pk), object_repr=str(obj)[:200], action_flag=flags[i % 3],
            change_message='[{"changed": {"fields": ["Name"]}}]' if i % 3 == 1 else "")
    LogEntry.objects.create(action_time=moment(300), user=users[1], content_type=None, object_id=None,
                            object_repr="gelöscht ✗", action_flag=DELETION, change_message="Bulk löschen")


if __name__ == "__main__":
    call_command("migrate", verbosity=0, interactive=False)
    populate()
    print(f"populated: {Category.objects.count()} categories, {Tag.objects.count()} tags, {Customer.objects.count()} customers, "
          f"{Product.objects.count()} products, {Order.objects.count()} orders, {OrderLine.objects.count()} order lines")
