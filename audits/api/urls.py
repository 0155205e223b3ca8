"""This app's API routes, registered on the one router in qms/api/urls.py."""

from audits.api import audits, model

routes = [
    *model.routes,
    *audits.routes,
]
