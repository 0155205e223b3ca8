"""Pages of the reviews app."""
