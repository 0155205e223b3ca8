"""Writes of the core app: every change to a core record goes through one of these functions.

Named ``<entity>_<verb>``, keyword-only, atomic, validating with ``full_clean()`` before saving.
Views, serializers, forms, admin actions, tasks and commands call them; no rule lives twice.
"""
