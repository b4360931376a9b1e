"""The shop's models in the admin, so the admin's checks see them."""
from django.contrib import admin

from .models import Category, Customer, Order, OrderLine, Product, Tag

for model in (Category, Customer, Order, OrderLine, Product, Tag):
    admin.site.register(model)
