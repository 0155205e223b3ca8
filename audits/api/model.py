"""API of the model part: viewsets and serializers; `routes` are collected in audits/api/urls.py."""

routes = []
