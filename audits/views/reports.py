"""Pages of the reports part."""
