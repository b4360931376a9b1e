"""The shop: every field type the framework test moves from SQLite to PostgreSQL.

Boolean (also nullable), DateTime (USE_TZ), Date, Decimal(10,2), JSON (objects, arrays and bare
scalars), UUID, Duration (negative ones too), GenericIPAddress (v4 and v6), Binary, Float,
PositiveInteger, Char, Text, ForeignKey (CASCADE), ManyToMany and a named UniqueConstraint.
"""
import uuid

from django.db import models


class Category(models.Model):
    name = models.CharField(max_length=100, unique=True)
    description = models.TextField(blank=True)

    def __str__(self):
        return self.name


class Tag(models.Model):
    label = models.CharField(max_length=50)
    weight = models.FloatField(default=1.0)

    def __str__(self):
        return self.label


class Customer(models.Model):
    name = models.CharField(max_length=200)
    email = models.EmailField(null=True, blank=True)
    is_active = models.BooleanField(default=True)
    is_vip = models.BooleanField(null=True, blank=True)
    joined_at = models.DateTimeField()
    last_seen = models.DateTimeField(null=True, blank=True)
    birthday = models.DateField(null=True, blank=True)
    last_ip = models.GenericIPAddressField(null=True, blank=True)
    external_id = models.UUIDField(default=uuid.uuid4, unique=True)
    notes = models.TextField(blank=True)

    def __str__(self):
        return self.name


class Product(models.Model):
    category = models.ForeignKey(Category, on_delete=models.CASCADE, related_name="products")
    sku = models.CharField(max_length=32)
    name = models.CharField(max_length=200)
    description = models.TextField(null=True, blank=True)
    price = models.DecimalField(max_digits=10, decimal_places=2)
    discount = models.DecimalField(max_digits=10, decimal_places=2, null=True, blank=True)
    weight_kg = models.FloatField(null=True, blank=True)
    stock = models.PositiveIntegerField(default=0)
    is_published = models.BooleanField(default=False)
    attributes = models.JSONField(null=True, blank=True)
    warranty = models.DurationField(null=True, blank=True)
    thumbnail = models.BinaryField(null=True, blank=True)
    public_id = models.UUIDField(null=True, blank=True)
    released_on = models.DateField()
    created_at = models.DateTimeField()
    tags = models.ManyToManyField(Tag, related_name="products", blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["category", "sku"], name="shop_product_category_sku_uniq")]

    def __str__(self):
        return self.name


class Order(models.Model):
    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="orders")
    placed_at = models.DateTimeField()
    shipped_on = models.DateField(null=True, blank=True)
    total = models.DecimalField(max_digits=10, decimal_places=2)
    paid = models.BooleanField(default=False)
    processing_time = models.DurationField(null=True, blank=True)
    client_ip = models.GenericIPAddressField(null=True, blank=True)
    payload = models.JSONField(default=dict)
    note = models.TextField(blank=True)

    def __str__(self):
        return f"order {self.pk}"


class OrderLine(models.Model):
    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="lines")
    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="order_lines")
    quantity = models.PositiveIntegerField()
    unit_price = models.DecimalField(max_digits=10, decimal_places=2)

    def __str__(self):
        return f"{self.quantity} x {self.product_id}"
