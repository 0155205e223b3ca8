"""Tables of the changes part of the incidents app."""
