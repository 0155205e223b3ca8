"""API of the incidents part: serializers and viewsets."""

routes = []
