from django.db import models


class Order(models.Model):
    item = models.CharField(max_length=200)
    status = models.CharField(max_length=20, default="new")
    paid_by = models.CharField(max_length=200, blank=True)
    created = models.DateTimeField(auto_now_add=True)
