"""The official notice text of a disclosure, in Chinese, as HTML or plain text.

Rendering works on a `Document` (title, labelled lines, footer), which the city-level
notice (`summary_documents`) builds too.

Every published field is rendered with its title from the category's payload model
(`case.payloads`), so a field added to a notice appears in its document without code
here. Values are escaped for HTML.
"""

from __future__ import annotations

import html
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from pydantic import BaseModel

from capacity_exit.case.machine import CaseAction, Category
from capacity_exit.case.payloads import DRAFT_MODELS, ExitMethod
from capacity_exit.core import clock
from capacity_exit.disclosure.content import PUBLISHING_STEPS
from capacity_exit.disclosure.models import Disclosure

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


@dataclass(frozen=True)
class Line:
    label: str
    value: str
    depth: int = 0


def _title(model: type[BaseModel], name: str) -> str:
    field = model.model_fields.get(name)
    return (field.title if field and field.title else None) or name


def _scalar(name: str, value: Any) -> str:
    if isinstance(value, bool):
        return "是" if value else "否"
    if name == "exit_method" and value in EXIT_METHODS:
        return EXIT_METHODS[ExitMethod(value)]
    if name == "domain" and value in DOMAINS:
        return DOMAINS[value]
    return str(value)


def _item_model(model: type[BaseModel], name: str) -> type[BaseModel] | None:
    annotation = model.model_fields[name].annotation if name in model.model_fields else None
    for arg in getattr(annotation, "__args__", ()):
        for inner in getattr(arg, "__args__", ()):
            if isinstance(inner, type) and issubclass(inner, BaseModel):
                return inner
    return None


def lines(disclosure: Disclosure) -> list[Line]:
    """The notice's body as labelled lines, list items numbered and indented."""
    model = DRAFT_MODELS[Category(disclosure.category)]
    found = [
        Line("企业名称", disclosure.enterprise_name),
        Line("统一社会信用代码", disclosure.enterprise_credit_code),
        Line("企业地址", disclosure.enterprise_address),
    ]
    for name, value in disclosure.content.items():
        label = _title(model, name)
        if isinstance(value, list):
            found.append(Line(label, ""))
            item_model = _item_model(model, name)
            for i, item in enumerate(value, start=1):
                if isinstance(item, dict) and item_model is not None:
                    parts = "；".join(
                        f"{_title(item_model, k)}：{_scalar(k, v)}"
                        for k, v in item.items()
                        if v is not None
                    )
                    found.append(Line(f"{i}", parts, 1))
                else:
                    found.append(Line(f"{i}", _scalar(name, item), 1))
        else:
            found.append(Line(label, _scalar(name, value)))
    return found


def title(disclosure: Disclosure) -> str:
    step = PUBLISHING_STEPS[(Category(disclosure.category), CaseAction(disclosure.step))]
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
    if disclosure.status == "withdrawn" and disclosure.withdrawn_reason:
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
    body = [
        f"{'  ' * line.depth}{line.label}：{line.value}" if line.value else f"{line.label}："
        for line in document.lines
    ]
    return "\n".join([document.title, "", *body, "", *document.footer]) + "\n"


def render_html(document: Document) -> str:
    esc = html.escape
    items = []
    for line in document.lines:
        if line.depth:
            items.append(f'<li class="item">{esc(line.value)}</li>')
        else:
            items.append(f"<dt>{esc(line.label)}</dt><dd>{esc(line.value)}</dd>")
    footer = "".join(f"<p>{esc(text)}</p>" for text in document.footer)
    return (
        '<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8">'
        f"<title>{esc(document.title)}</title></head><body>"
        f"<h1>{esc(document.title)}</h1><dl>{''.join(items)}</dl>"
        f'<footer>{footer}</footer><p class="kind">{KIND_TITLES[document.kind]}</p>'
        "</body></html>\n"
    )
