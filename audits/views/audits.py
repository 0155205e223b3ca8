"""Pages of the audits part."""
