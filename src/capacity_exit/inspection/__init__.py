"""Inspections (核查检查) of enterprises: what was checked, against which standard, found how."""
