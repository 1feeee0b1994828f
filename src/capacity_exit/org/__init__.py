"""Organisation reference data: divisions (jurisdictions) and departments."""
