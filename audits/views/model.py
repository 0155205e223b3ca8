"""Pages of the model part."""
