from __future__ import annotations

from pathlib import Path

import pytest

from capacity_exit.config import Environment, InsecureConfiguration, Settings
from capacity_exit.main import create_app


def test_production_refuses_the_embedded_sqlite_default(tmp_path: Path) -> None:
    settings = Settings(env=Environment.production, var_dir=tmp_path)
    with pytest.raises(InsecureConfiguration, match="DATABASE_URL"):
        create_app(settings)


def test_database_url_comes_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DATABASE_URL", "postgresql+asyncpg://u@h/db")
    monkeypatch.setenv("CAPEXIT_VAR_DIR", "/tmp/elsewhere")
    settings = Settings()
    assert settings.resolved_database_url == "postgresql+asyncpg://u@h/db"
    assert settings.var_dir == Path("/tmp/elsewhere")


def test_default_store_is_sqlite_in_the_var_dir(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.delenv("DATABASE_URL", raising=False)
    settings = Settings(var_dir=tmp_path)
    assert (
        settings.resolved_database_url
        == f"sqlite+aiosqlite:///{tmp_path.resolve()}/capacity-exit.db"
    )
