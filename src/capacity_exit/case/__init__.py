"""Cases: the five disclosure categories and their lifecycles."""
