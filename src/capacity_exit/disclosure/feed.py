"""The public record's latest notices as an Atom feed (RFC 4287).

Each entry is a notice: its document's title, its publisher as author and its
co-publishers as contributors, its category, the HTML document as its alternate link and
the plain-text document as its summary (`documents`). Filtered by a department, an entry
also carries the role in which that department publishes it, as a category of
`PUBLISHING_ROLE_SCHEME`. URLs arrive built (under the public base URL, never from the
request's Host: `core.urls`), so nothing here knows HTTP.
"""

from __future__ import annotations

from collections.abc import Sequence
from xml.etree import ElementTree

from capacity_exit.core import clock
from capacity_exit.core.clock import as_utc
from capacity_exit.core.etag import weak_etag
from capacity_exit.disclosure import documents
from capacity_exit.disclosure.models import Disclosure, PublishingRole

MEDIA_TYPE = "application/atom+xml"
ATOM = "http://www.w3.org/2005/Atom"
TITLE = "产能退出信息公开"
# The role the filtered department carries an entry in, as a category of this scheme.
PUBLISHING_ROLE_SCHEME = "urn:capacity-exit:publishing-role"
ROLE_LABELS = {PublishingRole.publisher: "发布单位", PublishingRole.co_publisher: "联合发布单位"}


def atom(
    rows: Sequence[tuple[Disclosure, str | None]], *, feed_url: str, document_url: str
) -> bytes:
    """The feed of `rows` (each a notice and the filtered department's role in it, or
    None), as UTF-8 XML. `feed_url` is the feed's own URL with its filters (its `id` and
    `self` link); `document_url` is a notice's document URL with `{id}` for the notice.

    The feed's `updated` is its newest entry's publication; with none, now.
    """
    feed = ElementTree.Element("feed", xmlns=ATOM)
    ElementTree.SubElement(feed, "title").text = TITLE
    ElementTree.SubElement(feed, "id").text = feed_url
    ElementTree.SubElement(feed, "link", rel="self", href=feed_url)
    updated = max((as_utc(row.published_at) for row, _ in rows), default=None) or clock.utcnow()
    ElementTree.SubElement(feed, "updated").text = updated.isoformat()
    for row, role in rows:
        _entry(feed, row, role, document_url.replace("{id}", str(row.id)))
    body: bytes = ElementTree.tostring(feed, encoding="utf-8", xml_declaration=True)
    return body


def _entry(feed: ElementTree.Element, row: Disclosure, role: str | None, href: str) -> None:
    entry = ElementTree.SubElement(feed, "entry")
    document = documents.of_disclosure(row)
    ElementTree.SubElement(entry, "title").text = document.title
    ElementTree.SubElement(entry, "id").text = f"urn:uuid:{row.id}"
    ElementTree.SubElement(entry, "updated").text = as_utc(row.published_at).isoformat()
    author = ElementTree.SubElement(entry, "author")
    ElementTree.SubElement(author, "name").text = row.department_name
    for co_publisher in row.co_publishers:
        contributor = ElementTree.SubElement(entry, "contributor")
        ElementTree.SubElement(contributor, "name").text = co_publisher["name"]
    ElementTree.SubElement(entry, "category", term=row.category)
    if role is not None:
        ElementTree.SubElement(
            entry,
            "category",
            scheme=PUBLISHING_ROLE_SCHEME,
            term=role,
            label=ROLE_LABELS[PublishingRole(role)],
        )
    ElementTree.SubElement(entry, "link", rel="alternate", type="text/html", href=href)
    ElementTree.SubElement(entry, "summary").text = documents.render_text(document)


def entity_tag(
    rows: Sequence[tuple[Disclosure, str | None]], *, feed_url: str, document_url: str
) -> str:
    """The feed's weak ETag, known before it is rendered: an entry's content never
    changes (a correction is a new notice, a withdrawal drops it), so the feed means the
    same while its URLs and its entries (id, status, role) do. Weak, because an empty
    feed's `updated` is the time of the request."""
    return weak_etag(
        feed_url, document_url, *(f"{row.id}:{row.status}:{role}" for row, role in rows)
    )
