"""API of the problems part: serializers and viewsets."""

routes = []
