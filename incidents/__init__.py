"""Incidents with a priority matrix and service-hour SLAs, problems, changes, non-conformities and CAPA."""
