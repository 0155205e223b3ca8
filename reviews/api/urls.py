"""This app's API routes, registered on the one router in qms/api/urls.py."""

from reviews.api import reviews

routes = [
    *reviews.routes,
]
