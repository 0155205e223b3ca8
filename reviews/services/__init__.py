"""Writes of the reviews app."""
