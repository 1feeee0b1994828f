"""Shared infrastructure: database, errors, pagination, HTTP conventions."""
