"""FilterSets of this app, shared by the UI lists and the API."""
