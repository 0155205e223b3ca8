"""Writes of this app (``<entity>_<verb>``, keyword-only, atomic, full_clean() before save)."""
