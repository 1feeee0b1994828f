from tests.fixtures.credit import fake_credit

__all__ = ["fake_credit"]
