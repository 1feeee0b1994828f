"""OWASP API Security Top 10 (2023), API6: Unrestricted Access to Sensitive Business Flows.

The sensitive flows here are the ones that carry consequences for an enterprise and the
record the public reads: the overdue mark and the credit listing it triggers (一(二)),
and the dates a notice states. What an attacker, or a department with something to
hide, tries in order to rewrite the record or escape the consequences:

* backdating a completion to before the day the case was marked overdue, so the record
  says it was finished in time and the mark clears (issue 14, item 3): 422, the case
  stays overdue and listed, no withdrawal is pushed;
* slipping a date past the checks in another form: Unix seconds (`1782777600`) or a
  datetime with an offset, which lax parsing turned into a day: 422 `iso_date`;
* correcting the announcement afterwards to state an in-time completion: 422;
* the reverse, to punish: publishing a case with its deadline already passed, so the
  next scan lists the enterprise before it was ever told (422 `deadline_passed`), or
  running the overdue scan with a later `--today` in production (refused; the command
  itself is tested in tests/flows/test_overdue.py).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import httpx
import pytest

from capacity_exit.auth.roles import Role
from capacity_exit.config import Settings
from tests.conftest import ClientAs, TravelTo
from tests.fixtures.cases import OWNER, open_case, payload, step, take
from tests.fixtures.cli import run_cli
from tests.fixtures.credit import FakeCredit, pushes_of

DEADLINE = "2027-06-30"  # the elimination fixture's completion deadline
MARKED = "2027-07-01"  # the scan finds it past the deadline the day after


async def _overdue_and_listed(
    client_as: ClientAs, fake_credit: FakeCredit, travel_to: TravelTo
) -> tuple[httpx.AsyncClient, dict[str, Any]]:
    owner = client_as(OWNER["elimination"], Role.officer, Role.approver)
    published = await take(owner, await open_case(owner, "elimination"), "publish")
    travel_to(MARKED)
    await fake_credit.scan_overdue()
    case = (await owner.get(f"/api/v1/cases/{published['id']}")).json()
    assert (case["overdue"], case["overdue_since"]) == (True, MARKED)
    assert {p["kind"] for p in await pushes_of(owner, case=case["id"])} == {"listing"}
    return owner, case


async def _still_overdue_and_listed(owner: httpx.AsyncClient, case: dict[str, Any]) -> None:
    after = (await owner.get(f"/api/v1/cases/{case['id']}")).json()
    assert (after["status"], after["version"]) == ("publicized", case["version"])
    assert (after["overdue"], after["overdue_since"]) == (True, MARKED)
    [completion] = [d for d in after["deadlines"] if d["purpose"] == "completion"]
    assert completion["on_time"] is None
    assert await pushes_of(owner, case=case["id"], kind="withdrawal") == []
    listed = await owner.get("/api/v1/cases", params={"overdue": "true"})
    assert [c["id"] for c in listed.json()["items"]] == [case["id"]]


@pytest.mark.seed("一(二)")
async def test_a_backdated_completion_neither_clears_the_mark_nor_the_listing(
    client_as: ClientAs, fake_credit: FakeCredit, travel_to: TravelTo
) -> None:
    owner, case = await _overdue_and_listed(client_as, fake_credit, travel_to)
    travel_to("2027-07-05")
    exited = {
        "completion_evidence": "高炉拆除验收记录。",
        "exited_items": case["payload"]["elimination_items"],
    }
    midnight = dt.datetime(2027, 6, 30, tzinfo=dt.UTC)
    for backdated, code in (
        (DEADLINE, "before_timeline"),  # "finished on the deadline day"
        ("2001-01-01", "before_timeline"),  # before the inspection, even
        (int(midnight.timestamp()), "iso_date"),  # 1782777600
        ("2027-06-30T23:59:59+08:00", "iso_date"),
    ):
        refused = await step(owner, case, "report_completion", completion_date=backdated, **exited)
        assert refused.status_code == 422, (backdated, refused.text)
        assert [(e["pointer"], e["code"]) for e in refused.json()["errors"]] == [
            ("/completion_date", code)
        ]
        await _still_overdue_and_listed(owner, case)

    # The truth is accepted: completed late; the acceptance then withdraws the listing.
    reported = await take(owner, case, "report_completion", completion_date=MARKED, **exited)
    [completion] = [d for d in reported["deadlines"] if d["purpose"] == "completion"]
    assert (completion["met_on"], completion["on_time"]) == (MARKED, False)
    accepted = await take(owner, reported, "accept", acceptance_date="2027-07-05")
    assert {p["trigger"] for p in await pushes_of(owner, case=case["id"], kind="withdrawal")} == {
        "completion_accepted"
    }

    # Nor can the announcement be corrected afterwards to say it was finished in time.
    await take(owner, accepted, "announce")
    notices = await owner.get(
        "/api/v1/disclosures",
        params={"department": OWNER["elimination"], "kind": "announcement"},
    )
    [notice] = notices.json()["items"]
    corrected = await owner.post(
        f"/api/v1/disclosures/{notice['id']}/corrections",
        json={"reason": "完成日期有误", "content": {"completion_date": DEADLINE}},
        headers={"If-Match": f'"{notice["version"]}"'},
    )
    assert corrected.status_code == 422, corrected.text
    assert [(e["pointer"], e["code"]) for e in corrected.json()["errors"]] == [
        ("/content/completion_date", "before_timeline")
    ]
    shown = (await owner.get(f"/api/v1/disclosures/{notice['id']}")).json()
    assert (shown["status"], shown["content"]["completion_date"]) == ("current", MARKED)


@pytest.mark.seed("一(二)")
async def test_an_enterprise_cannot_be_listed_before_it_was_told(
    client_as: ClientAs, settings: Settings
) -> None:
    owner = client_as(OWNER["illegal"], Role.officer, Role.approver)
    # Published with a deadline already passed, the next scan would list it at once.
    draft = await open_case(
        owner, "illegal", content=payload("illegal", completion_deadline="2026-11-27")
    )
    refused = await step(owner, draft, "publish")
    assert refused.status_code == 422, refused.text
    assert [(e["pointer"], e["code"]) for e in refused.json()["errors"]] == [
        ("/completion_deadline", "deadline_passed")
    ]
    published = await take(owner, draft, "publish", completion_deadline="2026-12-31")

    # Nor is the scan run as if the deadline had passed, outside development.
    early = run_cli(
        settings, "cases", "scan-overdue", "--today", dt.date.max.isoformat(),
        env={"CAPEXIT_ENV": "production"}, pinned=False,
    )  # fmt: skip
    assert early.returncode == 1 and "cannot be judged overdue early" in early.stderr
    after = (await owner.get(f"/api/v1/cases/{published['id']}")).json()
    assert (after["overdue"], after["version"]) == (False, published["version"])
    assert await pushes_of(owner, case=published["id"]) == []
