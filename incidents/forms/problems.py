"""Forms of the problems part of the incidents app."""
