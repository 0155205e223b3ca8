"""Tables of the contacts part: the contacts page groups them by hand (four cards), so none is needed."""
