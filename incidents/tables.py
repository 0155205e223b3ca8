"""django-tables2 tables of this app."""
