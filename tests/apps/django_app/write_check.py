"""On the migrated database APP_DB names: create one new row in every shop table, a user, a group,
a permission, a content type, a session and an admin log entry through the ORM; check each new id
is past the largest id before (and past SQLite's sqlite_sequence high-water mark, when the SQLite
dump is given), that the foreign keys, the many-to-many tables and the named UniqueConstraint
work, and that the new rows read back as written. Exits 1 naming every failure.

    APP_DB=postgres://... python write_check.py [SQLITE_DUMP.json]
"""
import datetime as dt
import json
import os
import sys
import uuid
from decimal import Decimal

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "djproject.settings")
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import django  # noqa: E402

django.setup()

from django.contrib.admin.models import CHANGE, LogEntry  # noqa: E402
from django.contrib.auth.models import Group, Permission, User  # noqa: E402
from django.contrib.contenttypes.models import ContentType  # noqa: E402
from django.contrib.sessions.backends.db import SessionStore  # noqa: E402
from django.contrib.sessions.models import Session  # noqa: E402
from django.db import IntegrityError, transaction  # noqa: E402
from django.db.models import Max  # noqa: E402

from shop.models import Category, Customer, Order, OrderLine, Product, Tag  # noqa: E402

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
    tracked = [Category, Tag, Customer, Product, Product.tags.through, Order, OrderLine, User, User.groups.through,
               User.user_permissions.through, Group, Group.permissions.through, Permission, ContentType, LogEntry]
    before = {m: m._base_manager.aggregate(m=Max("pk"))["m"] for m in tracked}
    for m, top in before.items():
        check(top is not None, f"{m._meta.db_table} is empty before the check: the data did not arrive")
    stop_on_failures()
    existing_tag = Tag.objects.order_by("pk").first()
    existing_customer = Customer.objects.order_by("-pk").first()

    zone = dt.timezone(dt.timedelta(hours=5, minutes=45))
    cat = Category.objects.create(name="write check ✓", description="neue Kategorie")
    tag = Tag.objects.create(label="neu 🆕", weight=-0.5)
    cust = Customer.objects.create(name="Zoë Write", email=None, is_active=True, is_vip=None,
                                   joined_at=dt.datetime(2024, 3, 31, 1, 30, 0, 5, tzinfo=zone), birthday=dt.date(2000, 2, 29),
                                   last_ip="2001:db8::42", external_id=uuid.UUID("0123456789abcdef0123456789abcdef"))
    wrote = dict(price=Decimal("19.90"), discount=None, weight_kg=0.1, stock=2147483647, is_published=True,
                 attributes={"neu": ["ja", 1, 2.5, None]}, warranty=dt.timedelta(days=-2, microseconds=3),
                 thumbnail=b"\x00\x01\xfe\xff", public_id=uuid.UUID(int=2**128 - 1), released_on=dt.date(1999, 12, 31),
                 created_at=dt.datetime(1969, 12, 31, 23, 59, 59, 999999, tzinfo=dt.timezone.utc))
    prod = Product.objects.create(category=cat, sku="WRITE-1", name="Schreibprobe", description="日本語", **wrote)
    prod.tags.add(tag, existing_tag)
    order = Order.objects.create(customer=cust, placed_at=dt.datetime(2024, 10, 27, 2, 30, tzinfo=dt.timezone.utc),
                                 total=Decimal("39.80"), processing_time=dt.timedelta(hours=-1), client_ip="10.1.2.3",
                                 payload="bare string")
    line = OrderLine.objects.create(order=order, product=prod, quantity=2, unit_price=Decimal("19.90"))
    other_order = Order.objects.create(customer=existing_customer, placed_at=dt.datetime.now(dt.timezone.utc), total=Decimal("0"))
    user = User.objects.create_user("write-check", "wc@example.org", "another password", first_name="Jürgen")
    group = Group.objects.create(name="write check group")
    ct = ContentType.objects.create(app_label="shop", model="writecheckghost")
    perm = Permission.objects.create(codename="write_check", name="Can write check", content_type=ct)
    user.groups.add(group)
    user.user_permissions.add(perm)
    group.permissions.add(perm)
    log = LogEntry.objects.create(user=user, content_type=ContentType.objects.get_for_model(Product), object_id=str(prod.pk),
                                  object_repr=str(prod), action_flag=CHANGE, change_message="geändert")
    session = SessionStore()
    session["write_check"] = "✓"
    session.create()

    new = {Category: cat, Tag: tag, Customer: cust, Product: prod, Order: order, OrderLine: line, User: user, Group: group,
           Permission: perm, ContentType: ct, LogEntry: log}
    new[Product.tags.through] = Product.tags.through.objects.filter(product=prod, tag=tag).get()
    new[User.groups.through] = User.groups.through.objects.get(user=user, group=group)
    new[User.user_permissions.through] = User.user_permissions.through.objects.get(user=user, permission=perm)
    new[Group.permissions.through] = Group.permissions.through.objects.get(group=group, permission=perm)
    for m in tracked:
        table = m._meta.db_table
        floor = max(before[m] or 0, high_water.get(table, 0))
        check(new[m].pk > floor, f"{table}: new id {new[m].pk} is not past the old ones (largest id {before[m]}, "
                                 f"sqlite_sequence {high_water.get(table)})")
    check(other_order.pk > order.pk, f"shop_order: ids do not increase ({order.pk}, then {other_order.pk})")

    # Relations, both ways, new and old rows together.
    check(list(cat.products.all()) == [prod], "category -> products")
    check(set(prod.tags.all()) == {tag, existing_tag}, "product -> tags (M2M)")
    check(prod in existing_tag.products.all(), "existing tag -> new product (M2M, reverse)")
    check(list(order.lines.all()) == [line] and line.product == prod, "order -> lines -> product")
    check(cust.orders.get() == order and existing_customer.orders.filter(pk=other_order.pk).exists(), "customer -> orders")
    check(user.has_perm("shop.write_check"), "user -> group/permission")
    check(Session.objects.filter(session_key=session.session_key).exists(), "session stored")
    check(SessionStore(session.session_key).get("write_check") == "✓", "session data reads back")
    check(User.objects.get(username="admin").check_password("correct horse battery staple"), "the copied superuser's password")

    # The new rows read back as written.
    fresh = Product.objects.get(pk=prod.pk)
    for name, value in wrote.items():
        got = getattr(fresh, name)
        got = bytes(got) if isinstance(got, memoryview) else got
        check(got == value and type(got) is type(value), f"shop_product.{name}: wrote {value!r}, read {got!r}")
    check(Customer.objects.get(pk=cust.pk).joined_at == cust.joined_at, "shop_customer.joined_at")
    check(Order.objects.get(pk=order.pk).payload == "bare string", "shop_order.payload (a bare JSON string)")

    # The named UniqueConstraint is there.
    try:
        with transaction.atomic():
            Product.objects.create(category=cat, sku="WRITE-1", name="duplicate", price=1, released_on=dt.date.today(),
                                   created_at=dt.datetime.now(dt.timezone.utc))
        failures.append("shop_product_category_sku_uniq: a duplicate (category, sku) was accepted")
    except IntegrityError as e:
        check("shop_product_category_sku_uniq" in str(e) or "UNIQUE" in str(e), f"unexpected IntegrityError: {e}")

    # CASCADE: the category takes its new product, the product its order line and M2M rows.
    cat.delete()
    check(not Product.objects.filter(pk=prod.pk).exists(), "CASCADE category -> product")
    check(not OrderLine.objects.filter(pk=line.pk).exists(), "CASCADE product -> order line")
    check(not Product.tags.through.objects.filter(product_id=prod.pk).exists(), "CASCADE product -> M2M rows")

    stop_on_failures()
    print(f"write check passed: {len(new)} tables got a new row past the old ids")


if __name__ == "__main__":
    try:
        main(sys.argv[1] if len(sys.argv) > 1 else None)
    except IntegrityError as e:
        # The usual cause: an identity or sequence left behind the copied ids.
        print(f"write check FAILED: a new row was refused (an identity or sequence not past the copied ids?): {e}",
              file=sys.stderr)
        sys.exit(1)
