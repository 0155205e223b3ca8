"""Filtersets of the incidents part of the incidents app."""
