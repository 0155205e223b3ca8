"""API of the non-conformities part: serializers and viewsets."""

routes = []
