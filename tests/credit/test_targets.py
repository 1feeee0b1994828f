"""The targets file: checked when the process starts, and a later bad edit keeps the
last good list in force."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from capacity_exit.config import Settings
from capacity_exit.credit import targets
from tests.fixtures.credit import write_targets


def test_an_unusable_file_stops_the_start(settings: Settings, tmp_path: Path) -> None:
    missing = settings.model_copy(update={"credit_targets_file": tmp_path / "none.json"})
    with pytest.raises(targets.InvalidCreditTargets, match=r"none\.json"):
        targets.install(missing)
    broken = tmp_path / "broken.json"
    broken.write_text('[{"code": "national"}]')
    with pytest.raises(targets.InvalidCreditTargets, match="base_url"):
        targets.install(settings.model_copy(update={"credit_targets_file": broken}))
    assert targets.current_settings() is not missing  # the previous one stays installed


def test_a_later_bad_edit_keeps_the_last_good_targets(settings: Settings, tmp_path: Path) -> None:
    path = write_targets(tmp_path, "http://127.0.0.1:9")
    configured = settings.model_copy(update={"credit_targets_file": path})
    good = targets.configured(configured)
    assert [t.code for t in good] == ["national", "creditchina", "creditjilin"]
    path.write_text("not json")
    os.utime(path, (path.stat().st_atime, path.stat().st_mtime + 5))
    assert targets.configured(configured) == good


def test_duplicate_codes_are_refused(settings: Settings, tmp_path: Path) -> None:
    path = write_targets(tmp_path, "http://127.0.0.1:9")
    text = path.read_text().replace('"creditchina"', '"national"')
    path.write_text(text)
    with pytest.raises(targets.InvalidCreditTargets, match="unique"):
        targets.configured(settings.model_copy(update={"credit_targets_file": path}))


def test_credentials_in_a_base_url_are_not_shown() -> None:
    target = targets.CreditTarget(
        code="national", name="全国", base_url="https://user:pw@credit.example:8443/api"
    )
    assert target.shown_base_url == "https://credit.example:8443/api"
    assert target.records_url.startswith("https://user:pw@")  # still used to send
