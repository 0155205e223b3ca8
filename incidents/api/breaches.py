"""API of the breaches part: serializers and viewsets."""

routes = []
