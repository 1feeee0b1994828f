"""Identity and access: accounts, tokens, roles and jurisdiction scope."""
