"""Maturity-model audits: principles, a three-year cycle, assessors from other units, calibration, findings."""
