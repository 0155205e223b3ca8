"""Forms of the changes part of the incidents app."""
