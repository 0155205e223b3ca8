"""Choice sets of this app (stable codes, translated labels)."""
