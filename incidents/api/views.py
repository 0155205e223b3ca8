"""API viewsets of this app: scoped querysets, writes through services."""
