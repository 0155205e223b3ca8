"""Forms of the reviews app."""
