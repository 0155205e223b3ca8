"""Django admin registrations of this app (for system administrators)."""
