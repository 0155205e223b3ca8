"""Pages of the library part."""
