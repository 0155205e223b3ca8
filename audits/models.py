"""Models of this app: fields, constraints, one-row rules in clean(). Rules across rows live in services.py."""
