"""This app's API routes, registered on the one router in qms/api/urls.py."""

from risks.api import scoring

routes = [*scoring.routes]
