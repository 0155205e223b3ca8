"""Celery tasks of this app: thin, taking ids and calling services."""
