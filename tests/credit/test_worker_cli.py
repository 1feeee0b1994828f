"""`capacity-exit worker --until-idle` run from the shell, as an operator would, against
the fake platform served in the test's event loop."""

from __future__ import annotations

import asyncio
import json
import subprocess
from pathlib import Path
from typing import Any

import httpx
import pytest

from capacity_exit.auth.roles import Role
from capacity_exit.credit.fake_platform import FakePlatform, Faults
from tests.conftest import ClientAs
from tests.fixtures.cases import COUNTY, open_case, take
from tests.fixtures.cli import run_cli
from tests.fixtures.credit import TARGETS, TOKEN, FakeCredit, pushes_of

CODES = [code for code, _ in TARGETS]
MEASURES = ("限制融资授信", "限制高消费")


async def _listed_with_updates(client_as: ClientAs) -> tuple[httpx.AsyncClient, dict[str, Any]]:
    """A refused rectification: its listing, then two joint-punishment updates, queued in
    that order for every target."""
    owner = client_as(f"{COUNTY}-ecoenv", Role.officer, Role.approver)
    case = await take(owner, await open_case(owner, "rectification"), "publish")
    case = await take(
        owner, case, "record_refusal", refusal_date="2026-11-30", refusal_facts="拒不整改。"
    )
    for measure in MEASURES:
        update = {"case_id": case["id"], "kind": "update", "reason": "联合惩戒", "measure": measure}
        response = await owner.post("/api/v1/credit-pushes", json=update)
        assert response.status_code == 201, response.text
    return owner, case


async def _until_idle(
    fake_credit: FakeCredit, targets_file: Path | None = None
) -> subprocess.CompletedProcess[str]:
    """One `capacity-exit worker --until-idle`, in a thread, so that the platforms served
    in this event loop answer it. Backoffs are tens of milliseconds: a retrying push falls
    due again long before the run could end, were it to claim by the clock alone."""
    targets_file = targets_file or fake_credit.settings.credit_targets_file
    env = {
        "CAPEXIT_CREDIT_TARGETS_FILE": str(targets_file),
        "CAPEXIT_CREDIT_BACKOFF_BASE_SECONDS": "0.01",
        "CAPEXIT_CREDIT_BACKOFF_CAP_SECONDS": "0.05",
    }
    result = await asyncio.to_thread(
        run_cli, fake_credit.settings, "worker", "--until-idle", "--name", "operator", env=env
    )
    assert result.returncode == 0, result.stderr
    return result


def _applied(platform: FakePlatform, code: str) -> list[tuple[str, str]]:
    """What the platform applied for one target, in the order it applied it."""
    return [
        (record["kind"], record["measure_content"])
        for record in platform.applied.values()
        if record["_platform"] == code
    ]


@pytest.mark.seed("一(二)")
async def test_one_run_until_idle_delivers_every_queued_push_in_order(
    client_as: ClientAs, fake_credit: FakeCredit
) -> None:
    owner, case = await _listed_with_updates(client_as)
    assert len(await pushes_of(owner, case=case["id"], status="pending")) == 3 * len(CODES)

    await _until_idle(fake_credit)

    pushes = await pushes_of(owner, case=case["id"])
    assert {(p["status"], p["attempts"]) for p in pushes} == {("delivered", 1)}
    for code in CODES:
        applied = _applied(fake_credit.platform, code)
        assert [kind for kind, _ in applied] == ["listing", "update", "update"], code
        assert [measure for _, measure in applied[1:]] == list(MEASURES), code


@pytest.mark.seed("一(二)")
async def test_until_idle_stops_at_pushes_retrying_later_and_keeps_their_followers_waiting(
    client_as: ClientAs, fake_credit: FakeCredit, tmp_path: Path
) -> None:
    # 信用吉林 answers every record with a 500; the other two platforms accept them.
    failing = FakePlatform(token=TOKEN, faults=Faults(error_rate=1.0, kinds=["500"]))
    server = await failing.serve("127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    assert fake_credit.settings.credit_targets_file is not None
    configured = json.loads(fake_credit.settings.credit_targets_file.read_text())
    for target in configured:
        if target["code"] == "creditjilin":
            target["base_url"] = f"http://127.0.0.1:{port}/creditjilin"
    targets_file = tmp_path / "credit-targets-failing.json"
    targets_file.write_text(json.dumps(configured))
    owner, case = await _listed_with_updates(client_as)
    try:
        await _until_idle(fake_credit, targets_file)
    finally:
        server.close()
        await server.wait_closed()

    for code in ("national", "creditchina"):
        assert [kind for kind, _ in _applied(fake_credit.platform, code)] == [
            "listing",
            "update",
            "update",
        ], code
    jilin = await pushes_of(owner, case=case["id"], target="creditjilin")
    # Its listing was tried once in this run and waits for its next attempt; the updates
    # behind it were not sent before it.
    assert [(p["kind"], p["status"], p["attempts"]) for p in jilin] == [
        ("listing", "retrying", 1),
        ("update", "pending", 0),
        ("update", "pending", 0),
    ]
    assert failing.received == 1
