"""The official notice text of a disclosure, in Chinese, as HTML or plain text.

Rendering works on a `Document` (title, labelled lines, footer), which the city-level
notice (`summary_documents`) builds too.

Every published field is rendered with its title from the category's payload model
(`case.payloads`), so a field added to a notice appears in its document without code
here. Departments appear by the names the notice was published with, numbers as
written (44, not 44.0) next to their units, lists as numbered lists (`<ol>` inside the
field's `<dd>`). Values are escaped for HTML.
"""

from __future__ import annotations

import html
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from pydantic import BaseModel

from capacity_exit.case.machine import NOTICES
from capacity_exit.case.payloads import DRAFT_MODELS, ExitMethod, FoundBy
from capacity_exit.core import clock
from capacity_exit.disclosure.models import Disclosure, DisclosureStatus

KIND_TITLES = {"publicity": "公示", "announcement": "公告"}
EXIT_METHODS = {
    ExitMethod.dismantle: "拆除",
    ExitMethod.seal: "封存",
    ExitMethod.transfer: "转移",
    ExitMethod.other: "其他",
}
DOMAINS = {
    "environment": "环保",
    "safety": "安全",
    "quality": "质量",
    "energy": "能耗",
    "technology": "技术",
    "legality": "合法合规",
}
# The inspection that found a forced exit's failing item (`case.payloads.FoundBy`).
FOUND_BY = {
    FoundBy.verification: "核查",
    FoundBy.inspection: "检查",
    FoundBy.legality_review: "专项审查",
    FoundBy.recheck: "复核",
    FoundBy.spot_check: "抽查",
    FoundBy.reinspection: "复查",
}


# A number field of a list item and the sibling field holding its unit.
UNITS = {"capacity": "capacity_unit", "measured_value": "unit", "limit_value": "unit"}


@dataclass(frozen=True)
class Line:
    """A labelled value, or a labelled list (`items`, numbered in order)."""

    label: str
    value: str = ""
    items: tuple[str, ...] = ()


def _title(model: type[BaseModel], name: str) -> str:
    field = model.model_fields.get(name)
    return (field.title if field and field.title else None) or name


def _number(value: int | float) -> str:
    """The shortest decimal that is exactly the number, never in exponent notation:
    44 and 44.0 read 44, 85.3 reads 85.3, 2e-05 reads 0.00002 (`repr` of a float is
    the shortest string that reads back as the same float, so nothing is rounded)."""
    if isinstance(value, int):
        return str(value)
    text = format(Decimal(repr(value)), "f")
    return text.removesuffix(".0")


def _scalar(name: str, value: Any) -> str:
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, int | float):
        return _number(value)
    if isinstance(value, dict) and "name" in value:  # a department, as published
        return str(value["name"])
    if name == "exit_method" and value in EXIT_METHODS:
        return EXIT_METHODS[ExitMethod(value)]
    if name == "domain" and value in DOMAINS:
        return DOMAINS[value]
    if name == "found_by" and value in FOUND_BY:
        return FOUND_BY[FoundBy(value)]
    return str(value)


def _item_model(model: type[BaseModel], name: str) -> type[BaseModel] | None:
    annotation = model.model_fields[name].annotation if name in model.model_fields else None
    for arg in getattr(annotation, "__args__", ()):
        for inner in getattr(arg, "__args__", ()):
            if isinstance(inner, type) and issubclass(inner, BaseModel):
                return inner
    return None


def _item(model: type[BaseModel], item: dict[str, Any]) -> str:
    """A list item's fields, labelled, each number followed by its unit."""
    shown = {k: v for k, v in item.items() if v is not None}
    unit_of = {k: shown[UNITS[k]] for k in shown if UNITS.get(k) in shown}
    written_with_numbers = {UNITS[k] for k in unit_of}
    parts = []
    for k, v in shown.items():
        if k in written_with_numbers:
            continue
        text = f"{_scalar(k, v)} {unit_of[k]}" if k in unit_of else _scalar(k, v)
        parts.append(f"{_title(model, k)}：{text}")
    return "；".join(parts)


def lines(disclosure: Disclosure) -> list[Line]:
    """The notice's body as labelled lines, lists as numbered items."""
    model = DRAFT_MODELS[disclosure.category]
    found = [
        Line("企业名称", disclosure.enterprise_name),
        Line("统一社会信用代码", disclosure.enterprise_credit_code),
        Line("企业地址", disclosure.enterprise_address),
    ]
    for name, value in disclosure.content.items():
        label = _title(model, name)
        if isinstance(value, list):
            item_model = _item_model(model, name)
            items = tuple(
                _item(item_model, item)
                if isinstance(item, dict) and item_model is not None
                else _scalar(name, item)
                for item in value
            )
            found.append(Line(label, items=items))
        else:
            found.append(Line(label, _scalar(name, value)))
    return found


def title(disclosure: Disclosure) -> str:
    step = NOTICES[(disclosure.category, disclosure.step)]
    return f"{disclosure.department_name}关于{disclosure.enterprise_name}{step.title}"


def published_on(published_at: datetime) -> str:
    """The business day (Asia/Shanghai) of a publication time, as the notice dates it."""
    return clock.as_utc(published_at).astimezone(clock.BUSINESS_TZ).date().isoformat()


def _footer(disclosure: Disclosure) -> list[str]:
    footer = [disclosure.department_name, published_on(disclosure.published_at)]
    if disclosure.period_end is not None:
        footer.insert(0, f"公示期至{disclosure.period_end.isoformat()}。")
    if disclosure.co_publishers:
        names = "、".join(c["name"] for c in disclosure.co_publishers)
        footer.insert(1, f"联合发布：{names}")
    if disclosure.version > 1 and disclosure.correction_reason:
        footer.insert(0, f"（更正版本{disclosure.version}：{disclosure.correction_reason}）")
    if disclosure.status == DisclosureStatus.withdrawn and disclosure.withdrawn_reason:
        footer.insert(0, f"（已撤回：{disclosure.withdrawn_reason}）")
    return footer


@dataclass(frozen=True)
class Document:
    """A notice ready to render: its title, labelled lines and footer, and its kind."""

    title: str
    lines: list[Line]
    footer: list[str]
    kind: str  # publicity | announcement


def of_disclosure(disclosure: Disclosure) -> Document:
    return Document(title(disclosure), lines(disclosure), _footer(disclosure), disclosure.kind)


def render_text(document: Document) -> str:
    body = []
    for line in document.lines:
        body.append(f"{line.label}：{line.value}")
        body += [f"  {i}：{item}" for i, item in enumerate(line.items, start=1)]
    return "\n".join([document.title, "", *body, "", *document.footer]) + "\n"


def _html_line(line: Line) -> str:
    """A `<dt>` and its `<dd>`; a list is an `<ol>` inside the `<dd>`."""
    esc = html.escape
    if line.items:
        value = "<ol>" + "".join(f"<li>{esc(item)}</li>" for item in line.items) + "</ol>"
    else:
        value = esc(line.value)
    return f"<dt>{esc(line.label)}</dt><dd>{value}</dd>"


def render_html(document: Document) -> str:
    """A complete HTML5 document (`tests/disclosure/test_documents.py` parses it)."""
    esc = html.escape
    items = [_html_line(line) for line in document.lines]
    footer = "".join(f"<p>{esc(text)}</p>" for text in document.footer)
    return (
        '<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8">'
        f"<title>{esc(document.title)}</title></head><body>"
        f"<h1>{esc(document.title)}</h1><dl>{''.join(items)}</dl>"
        f'<footer>{footer}</footer><p class="kind">{KIND_TITLES[document.kind]}</p>'
        "</body></html>\n"
    )


# The media types a document is served in, each with its renderer; the first is the default.
RENDERERS = {"text/html": render_html, "text/plain": render_text}
