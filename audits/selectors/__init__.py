"""Reads of the audits app that need shaping; always starting from ``visible_to(user)``."""
