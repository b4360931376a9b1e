"""What the application asks its database, answered on APP_DB: date-part lookups on aware
datetimes (in TIME_ZONE), JSON key lookups, case-insensitive text lookups, decimal, duration, UUID
and IP filters, aggregates, a cascade, and the admin's list and change pages. Writes the answers
as JSON, so the answers on SQLite and on PostgreSQL compare exactly.

    APP_DB=... python lookups.py OUT.json
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

from django.contrib.auth.models import User  # noqa: E402
from django.db import transaction  # noqa: E402
from django.db.models import Avg, Count, Max, Min, Sum  # noqa: E402
from django.db.models.functions import ExtractHour, TruncDate  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import setup_test_environment  # noqa: E402

from shop.models import Category, Customer, Order, OrderLine, Product  # noqa: E402


def pks(queryset):
    return sorted(queryset.values_list("pk", flat=True))


def answers():
    first = Customer.objects.order_by("pk").first()
    day = first.joined_at.astimezone(dt.timezone(dt.timedelta(hours=1))).date()
    out = {
        # Date parts are read in TIME_ZONE (Europe/Berlin): wrong when datetimes are naive.
        "joined_on_day": pks(Customer.objects.filter(joined_at__date=day)),
        "joined_at_hour_3": pks(Customer.objects.filter(joined_at__hour=3)),
        "joined_in_year": pks(Customer.objects.filter(joined_at__year=first.joined_at.year)),
        "placed_by_hour": sorted([list(r) for r in Order.objects.annotate(h=ExtractHour("placed_at")).values_list("h").annotate(n=Count("pk"))]),
        "placed_dates": sorted(str(d) for d in Order.objects.annotate(d=TruncDate("placed_at")).values_list("d", flat=True).distinct()),
        "last_seen_null": pks(Customer.objects.filter(last_seen__isnull=True)),
        # JSON keys and containment.
        "attributes_color_red": pks(Product.objects.filter(attributes__color="red")),
        "attributes_has_nested": pks(Product.objects.filter(attributes__has_key="nested")),
        "attributes_nested_b": pks(Product.objects.filter(attributes__nested__b=True)),
        "payload_is_string": pks(Order.objects.filter(payload="a bare string")),
        # Text, case-insensitively.
        "name_icontains_cafe": pks(Customer.objects.filter(name__icontains="CAFé")),
        "name_istartswith": pks(Customer.objects.filter(name__istartswith="ALPHA")),
        "email_iexact": pks(Customer.objects.filter(email__iexact="C1@EXäMPLE.ORG")),
        # Decimals, durations, UUIDs, addresses.
        "price_over_12_5": pks(Product.objects.filter(price__gt=Decimal("12.5"))),
        # SQLite sums the stored doubles (6924.80000000954), PostgreSQL exact numerics: to the cent.
        "price_stats": [str(v.quantize(Decimal("0.01"))) for v in Product.objects.aggregate(Sum("price"), Min("price"), Max("price")).values()],
        "warranty_over_a_day": pks(Product.objects.filter(warranty__gt=dt.timedelta(days=1))),
        "uuid_lookup": pks(Customer.objects.filter(external_id=first.external_id)),
        "uuid_absent": pks(Customer.objects.filter(external_id=uuid.UUID(int=0))),
        "ip_lookup": pks(Order.objects.filter(client_ip="2001:db8::1")),
        # Over the weights that are not 1e300 or inf (PostgreSQL's sum of doubles refuses to
        # overflow where SQLite's gives inf).
        "weight_finite_avg": repr(round(Product.objects.filter(weight_kg__lt=1e299, weight_kg__gt=-1e299).aggregate(a=Avg("weight_kg"))["a"], 6)),
        "lines_per_order": sorted([list(r) for r in OrderLine.objects.values_list("order_id").annotate(n=Count("pk"))]),
        "booleans": [pks(Customer.objects.filter(is_vip=True)), pks(Customer.objects.filter(is_vip__isnull=True)), pks(Product.objects.filter(is_published=False))],
    }
    # A cascade: deleting a category deletes its products and their order lines (rolled back).
    with transaction.atomic():
        category = Category.objects.order_by("pk").first()
        products = Product.objects.filter(category=category).count()
        deleted, by_model = category.delete()
        out["cascade"] = {"products": products, "deleted": deleted, "by_model": dict(sorted(by_model.items()))}
        transaction.set_rollback(True)
    # The admin: the superuser logs in and reads list and change pages.
    setup_test_environment()
    client = Client()
    out["admin_login"] = client.login(username="admin", password="correct horse battery staple")
    product = Product.objects.order_by("pk").first()
    out["admin_pages"] = {
        url: client.get(url).status_code
        for url in ["/admin/", "/admin/shop/product/", f"/admin/shop/product/{product.pk}/change/", "/admin/shop/order/?q=a",
                    "/admin/auth/user/", f"/admin/auth/user/{User.objects.get(username='admin').pk}/change/"]
    }
    return out


if __name__ == "__main__":
    with open(sys.argv[1], "w", encoding="utf-8") as f:
        json.dump(answers(), f, ensure_ascii=False, indent=1, sort_keys=True)
