"""This app's API routes, registered on the one router in qms/api/urls.py."""

from incidents.api import breaches, changes, contacts, incidents, nonconformities, problems

routes = [
    *incidents.routes,
    *contacts.routes,
    *problems.routes,
    *changes.routes,
    *breaches.routes,
    *nonconformities.routes,
]
