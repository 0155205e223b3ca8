"""The QMS project package and its core app (units, people, roles, actions, notifications)."""

from .celery import app as celery_app

__all__ = ["celery_app"]
