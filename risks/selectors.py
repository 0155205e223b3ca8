"""Reads of this app that need shaping; always starting from ``visible_to(user)``."""
