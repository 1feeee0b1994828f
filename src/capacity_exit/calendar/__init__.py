"""Working days (工作日) and the legal deadlines counted in them."""
