"""Writes of the audits app, one module per part: ``model`` (levels, principles, cycle), ``audits``
(audits, assessors, fieldwork, scores, calibration, response, evaluation) and ``findings``."""
