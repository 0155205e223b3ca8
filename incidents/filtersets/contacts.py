"""Filtersets of the contacts part of the incidents app."""
