"""This app's API routes, registered on the one router in qms/api/urls.py."""

from risks.api import register, scoring

routes = [*register.routes, *scoring.routes]
