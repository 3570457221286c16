"""shop: the shape of app the split and ha tiers serve (a Django project with
Celery). Django loads the Celery app with the project, as Django projects do."""

from shop.celery import app as celery_app

__all__ = ("celery_app",)
