"""API of the contacts part: serializers and viewsets."""

routes = []
