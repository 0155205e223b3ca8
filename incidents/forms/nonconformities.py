"""Forms of the non-conformities (CAPA) part of the incidents app."""
