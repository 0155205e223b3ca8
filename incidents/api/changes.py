"""API of the changes part: serializers and viewsets."""

routes = []
