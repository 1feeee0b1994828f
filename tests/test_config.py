from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from sqlalchemy.engine import make_url

from capacity_exit.config import Environment, InsecureConfiguration, Settings
from capacity_exit.main import create_app
from tests.fixtures.settings import documented_default, variable, variables


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


def test_the_database_password_comes_from_a_file(tmp_path: Path) -> None:
    secret = tmp_path / "db_app_password"
    secret.write_text("s3cr:et@/x\n", "utf-8")  # a trailing newline, as `echo` writes it
    settings = Settings(
        database_url="postgresql+asyncpg://capexit_app@db:5432/capacity_exit",
        database_password_file=secret,
    )
    url = make_url(settings.resolved_database_url)
    assert (url.username, url.password, url.host, url.database) == (
        "capexit_app",
        "s3cr:et@/x",
        "db",
        "capacity_exit",
    )
    # The URL as configured names no password; logging it shows none.
    assert settings.database_url is not None and "s3cr" not in settings.database_url


# -- The settings tables: docs/operations.md lists every setting, the README a few -------

ROOT = Path(__file__).resolve().parent.parent
OPERATIONS = ROOT / "docs" / "operations.md"
README = ROOT / "README.md"
# Variables of the test harness (Makefile, .ci/run), not of the application.
NOT_SETTINGS = {
    "CAPEXIT_TEST_STORE",
    "CAPEXIT_REQUIRE_POSTGRES",
    "CAPEXIT_FUZZ",
    # The contract fuzzer's credentials (tests/contract/hooks.py), read by the hooks only.
    "CAPEXIT_FUZZ_CLIENT_ID",
    "CAPEXIT_FUZZ_CLIENT_SECRET",
}


def table_rows(text: str) -> dict[str, str]:
    """Rows whose first cell is one variable in backticks: variable -> default cell."""
    rows: dict[str, str] = {}
    for line in text.splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if line.startswith("|") and len(cells) >= 3:
            name = re.fullmatch(r"`([A-Z][A-Z0-9_]+)`", cells[0])
            if name:
                assert name[1] not in rows, f"{name[1]} has two rows"
                rows[name[1]] = cells[1]
    return rows


def section(text: str, heading: str) -> str:
    start = text.index(f"\n## {heading}\n")
    end = text.find("\n## ", start + 1)
    return text[start : end if end != -1 else None]


def operations_rows() -> dict[str, str]:
    return table_rows(section(OPERATIONS.read_text("utf-8"), "Settings"))


def test_operations_md_lists_every_setting_with_its_default() -> None:
    rows = operations_rows()
    expected = {
        variable(name, field): documented_default(field)
        for name, field in Settings.model_fields.items()
    }
    undocumented = sorted(set(expected) - set(rows))
    assert not undocumented, f"docs/operations.md, Settings: add {undocumented}"
    assert not set(rows) - set(expected), "rows of variables no setting reads"
    wrong = {
        name: (rows[name], default)
        for name, default in expected.items()
        if not rows[name].startswith(default)
    }
    assert not wrong, f"default cells that do not start with the default: {wrong}"


def test_the_readme_table_agrees_with_operations_md() -> None:
    full = operations_rows()
    readme = table_rows(README.read_text("utf-8"))
    assert readme, "the README's configuration table"
    assert set(readme) <= set(full), set(readme) - set(full)
    assert {name: full[name] for name in readme} == readme


@pytest.mark.parametrize(
    "path",
    [
        "README.md",
        "docs/operations.md",
        "docs/decisions.md",
        "compose.yaml",
        "Dockerfile",
    ],
)
def test_every_capexit_variable_the_docs_name_is_a_setting(path: str) -> None:
    text = (ROOT / path).read_text("utf-8")
    known = set(variables()) | NOT_SETTINGS
    named = set(re.findall(r"\bCAPEXIT_[A-Z0-9_]*[A-Z0-9]\b", text))
    assert not named - known, f"{path} names {sorted(named - known)}, which no setting reads"


def test_the_api_paths_operations_md_names_exist() -> None:
    document = json.loads((ROOT / "openapi" / "openapi.json").read_text("utf-8"))
    served = {re.sub(r"\{[^}]+\}", "{}", path) for path in document["paths"]}
    named = re.findall(r"(/api/v1/[\w\-/{}.]*[\w}])", OPERATIONS.read_text("utf-8"))
    for path in named:
        assert re.sub(r"\{[^}]+\}", "{}", path) in served, path
