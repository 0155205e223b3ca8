"""Reads of the reviews app that need shaping."""
