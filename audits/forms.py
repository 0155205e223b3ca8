"""Forms of this app (input validation only; services save)."""
