-- Run by compose.yaml's `db-grants` step after every `capacity-exit migrate`, as the owner
-- role (idempotent). The default privileges give the application role read and write on
-- every table; these are the exceptions (docs/operations.md, "PostgreSQL roles").
-- The audit log and its published checkpoints: append and read only (their triggers
-- refuse UPDATE and DELETE too, whoever asks). audit_head keeps UPDATE: it is the lock
-- and the running head of the chain.
REVOKE UPDATE, DELETE, TRUNCATE ON audit_events, audit_checkpoints FROM capexit_app;
-- The schema's version is the owner's: the application only reads it (/readyz).
REVOKE INSERT, UPDATE, DELETE, TRUNCATE ON alembic_version FROM capexit_app;
