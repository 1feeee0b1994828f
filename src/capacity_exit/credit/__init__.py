"""Pushing enterprises to the credit platforms (一(二)): outbox, worker, fake platform."""
