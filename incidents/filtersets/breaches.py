"""Filtersets of the breaches part of the incidents app."""
