"""API serializers of this app: validation and representation only."""
