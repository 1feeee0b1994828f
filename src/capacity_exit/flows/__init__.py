"""What follows a step across domains (issue 15)."""
