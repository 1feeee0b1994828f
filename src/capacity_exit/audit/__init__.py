"""The tamper-evident audit log: a hash chain of every change, with signed checkpoints."""
