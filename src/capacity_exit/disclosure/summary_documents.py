"""The official text of a city-level notice (一(四)): one line per county notice it
covers, with the city's review of it, rendered like any notice (`documents`)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from capacity_exit.disclosure.documents import Document, Line, published_on
from capacity_exit.disclosure.models import CitySummary
from capacity_exit.disclosure.summaries import KIND_OF_SCOPE

REVIEW_KINDS = {"recheck": "复核", "spot_check": "抽查"}


def _review(review: dict[str, Any] | None) -> str:
    if review is None:
        return "未复核"
    done = f"{REVIEW_KINDS[review['kind']]}（{review['reviewed_on']}）"
    if review["outcome"] == "confirmed":
        return f"{done}，确认无误"
    found = "；".join(f"{d['field']}：{d['finding']}" for d in review["discrepancies"])
    return f"{done}，发现问题：{found}"


def _entry(number: int, entry: dict[str, Any]) -> Line:
    enterprise = entry["enterprise"]
    on_time = {True: "是", False: "否", None: "不适用"}[entry["on_time"]]
    facts = [
        f"统一社会信用代码：{enterprise['credit_code']}",
        f"企业地址：{enterprise['address']}",
        f"县（市、区）：{entry['county']['name']}",
        f"发布部门：{entry['department']['name']}",
        f"发布日期：{published_on(datetime.fromisoformat(entry['published_at']))}",
        f"按期发布：{on_time}",
        f"市级复核：{_review(entry['review'])}",
    ]
    return Line(f"{number}. {enterprise['name']}", "；".join(facts))


def of_summary(summary: CitySummary) -> Document:
    return Document(
        title=summary.title,
        lines=[_entry(n, e) for n, e in enumerate(summary.entries, start=1)],
        footer=[summary.department_name, published_on(summary.published_at)],
        kind=KIND_OF_SCOPE[summary.scope],
    )
