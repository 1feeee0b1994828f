"""Conditional GET on the public record (issue 16 item 6): a notice, its documents, the
list and the feed carry an ETag and a Cache-Control; `If-None-Match` naming the current
answer is 304 with no body and the same validators; any change makes it 200 again."""

from __future__ import annotations

from typing import Any

import httpx

from capacity_exit.auth.roles import Role
from capacity_exit.disclosure import caching
from tests.conftest import ClientAs
from tests.fixtures.cases import COUNTY, EQUIPMENT, open_case, take

URL = "/api/v1/disclosures"
CACHED = ("etag", "cache-control", "vary")


async def _publish(client_as: ClientAs) -> tuple[dict[str, Any], httpx.AsyncClient]:
    approver = client_as(f"{COUNTY}-miit", Role.approver)
    await take(approver, await open_case(approver, "elimination"), "publish")
    anonymous = client_as(None)
    [notice] = (await anonymous.get(URL, params={"jurisdiction": COUNTY})).json()["items"]
    return notice, approver


async def _revalidated(
    client: httpx.AsyncClient, url: str, **headers: str
) -> tuple[httpx.Response, httpx.Response]:
    """The answer, then the same request with `If-None-Match` of its ETag."""
    first = await client.get(url, headers=headers)
    assert first.status_code == 200, first.text
    again = await client.get(url, headers={**headers, "If-None-Match": first.headers["etag"]})
    return first, again


def _assert_not_modified(first: httpx.Response, again: httpx.Response) -> None:
    assert again.status_code == 304, again.text
    assert again.content == b""
    assert "content-length" not in again.headers or again.headers["content-length"] == "0"
    assert {h: again.headers.get(h) for h in CACHED} == {h: first.headers.get(h) for h in CACHED}


async def _correct(approver: httpx.AsyncClient, notice_id: str, if_match: str) -> dict[str, Any]:
    corrected = await approver.post(
        f"{URL}/{notice_id}/corrections",
        json={
            "reason": "数量有误",
            "content": {"elimination_items": [{**EQUIPMENT, "quantity": 2}]},
        },
        headers={"If-Match": if_match},
    )
    assert corrected.status_code == 201, corrected.text
    return dict(corrected.json())


async def _withdraw(approver: httpx.AsyncClient, notice_id: str, if_match: str) -> None:
    withdrawn = await approver.post(
        f"{URL}/{notice_id}/withdrawal", json={"reason": "企业主体认定错误"},
        headers={"If-Match": if_match},
    )  # fmt: skip
    assert withdrawn.status_code == 200, withdrawn.text


async def test_a_notice_is_304_until_its_series_changes(client_as: ClientAs) -> None:
    notice, approver = await _publish(client_as)
    anonymous = client_as(None)
    url = f"{URL}/{notice['id']}"
    first, again = await _revalidated(anonymous, url)
    assert first.headers["etag"].startswith('"1.')  # its version, then a digest
    assert first.headers["cache-control"] == caching.DETAIL
    _assert_not_modified(first, again)

    # A city review adds to the notice's history: a new answer, a new ETag.
    review = await client_as("220300-miit", Role.officer).post(
        f"{url}/reviews", json={"kind": "recheck"}
    )
    assert review.status_code == 201, review.text
    reviewed = await anonymous.get(url, headers={"If-None-Match": first.headers["etag"]})
    assert reviewed.status_code == 200 and reviewed.headers["etag"] != first.headers["etag"]
    assert reviewed.headers["etag"].startswith('"1.')

    # The detail's ETag is what If-Match of a correction takes, though a review came between.
    new = await _correct(approver, notice["id"], first.headers["etag"])
    superseded = await anonymous.get(url, headers={"If-None-Match": reviewed.headers["etag"]})
    assert superseded.status_code == 200
    assert superseded.json()["status"] == "superseded"

    # The new version: its own ETag, which withdrawing it changes.
    current, _ = await _revalidated(anonymous, f"{URL}/{new['id']}")
    assert current.headers["etag"].startswith('"2.')
    await _withdraw(approver, new["id"], current.headers["etag"])
    withdrawn = await anonymous.get(
        f"{URL}/{new['id']}", headers={"If-None-Match": current.headers["etag"]}
    )
    assert withdrawn.status_code == 200 and withdrawn.json()["status"] == "withdrawn"


async def test_if_match_still_refuses_another_versions_detail_tag(client_as: ClientAs) -> None:
    notice, approver = await _publish(client_as)
    tag = (await client_as(None).get(f"{URL}/{notice['id']}")).headers["etag"]
    stale = await approver.post(
        f"{URL}/{notice['id']}/withdrawal",
        json={"reason": "错"},
        headers={"If-Match": tag.replace('"1.', '"2.')},
    )
    assert stale.status_code == 412
    weak = await approver.post(
        f"{URL}/{notice['id']}/withdrawal", json={"reason": "错"}, headers={"If-Match": f"W/{tag}"}
    )
    assert weak.status_code == 412  # If-Match compares strongly


async def test_documents_have_one_etag_per_media_type_and_vary_by_accept(
    client_as: ClientAs,
) -> None:
    notice, approver = await _publish(client_as)
    anonymous = client_as(None)
    url = f"{URL}/{notice['id']}/document"
    html, html_again = await _revalidated(anonymous, url, Accept="text/html")
    text, text_again = await _revalidated(anonymous, url, Accept="text/plain")
    _assert_not_modified(html, html_again)
    _assert_not_modified(text, text_again)
    assert html.headers["vary"] == text.headers["vary"] == "Accept, Accept-Encoding"
    assert html.headers["etag"] != text.headers["etag"]
    assert not html.headers["etag"].startswith("W/")  # strong: byte for byte
    # The HTML's tag names no copy of the text rendering.
    other = await anonymous.get(
        url, headers={"Accept": "text/plain", "If-None-Match": html.headers["etag"]}
    )
    assert other.status_code == 200 and other.headers["content-type"].startswith("text/plain")
    # A current version may still be withdrawn: kept a minute.
    assert html.headers["cache-control"] == caching.CHANGING

    await _withdraw(approver, notice["id"], '"1"')
    withdrawn = await anonymous.get(
        url, headers={"Accept": "text/html", "If-None-Match": html.headers["etag"]}
    )
    assert withdrawn.status_code == 200 and "已撤回" in withdrawn.text
    assert withdrawn.headers["etag"] != html.headers["etag"]
    # Withdrawn is final: kept a day.
    assert withdrawn.headers["cache-control"] == caching.FINAL


async def test_the_list_is_304_until_a_notice_is_published_corrected_or_withdrawn(
    client_as: ClientAs,
) -> None:
    notice, approver = await _publish(client_as)
    anonymous = client_as(None)
    first, again = await _revalidated(anonymous, URL)
    assert first.headers["cache-control"] == caching.LIST
    _assert_not_modified(first, again)
    # Each page and filter is its own answer, with its own tag.
    other_filter = await anonymous.get(
        URL, params={"category": "illegal"}, headers={"If-None-Match": first.headers["etag"]}
    )
    assert other_filter.status_code == 200

    await take(approver, await open_case(approver, "elimination"), "publish")
    published = await anonymous.get(URL, headers={"If-None-Match": first.headers["etag"]})
    assert published.status_code == 200 and len(published.json()["items"]) == 2

    new = await _correct(approver, notice["id"], '"1"')
    corrected = await anonymous.get(URL, headers={"If-None-Match": published.headers["etag"]})
    assert corrected.status_code == 200 and new["id"] in corrected.text

    shown, _ = await _revalidated(anonymous, f"{URL}?include_withdrawn=true")
    await _withdraw(approver, new["id"], '"2"')
    withdrawn = await anonymous.get(
        f"{URL}?include_withdrawn=true", headers={"If-None-Match": shown.headers["etag"]}
    )
    assert withdrawn.status_code == 200 and "企业主体认定错误" in withdrawn.text


async def test_the_feed_has_a_weak_etag_that_changes_with_its_entries(
    client_as: ClientAs,
) -> None:
    notice, approver = await _publish(client_as)
    anonymous = client_as(None)
    url = f"{URL}/feed.atom"
    first, again = await _revalidated(anonymous, url)
    assert first.headers["etag"].startswith('W/"')
    assert first.headers["cache-control"] == caching.FEED
    _assert_not_modified(first, again)
    # Weak comparison: the tag without its `W/` names the same copy.
    strong_form = first.headers["etag"].removeprefix("W/")
    assert (await anonymous.get(url, headers={"If-None-Match": strong_form})).status_code == 304

    await _withdraw(approver, notice["id"], '"1"')
    emptied = await anonymous.get(url, headers={"If-None-Match": first.headers["etag"]})
    assert emptied.status_code == 200 and b"<entry>" not in emptied.content
    # An empty feed is stamped with the time of the request, yet means the same: 304.
    _assert_not_modified(
        emptied, await anonymous.get(url, headers={"If-None-Match": emptied.headers["etag"]})
    )


async def test_if_none_match_lists_star_and_weak_tags(client_as: ClientAs) -> None:
    notice, _ = await _publish(client_as)
    anonymous = client_as(None)
    url = f"{URL}/{notice['id']}"
    tag = (await anonymous.get(url)).headers["etag"]

    async def status(if_none_match: str) -> int:
        return (await anonymous.get(url, headers={"If-None-Match": if_none_match})).status_code

    assert await status(f'"other", {tag}') == 304  # any tag of the list
    assert await status(f'W/"x",W/{tag}') == 304  # weak comparison ignores W/
    assert await status("*") == 304  # the notice exists
    assert await status('"other", W/"1"') == 200
    assert await status(tag.strip('"')) == 200  # unquoted: not an entity tag
    # `*` on no notice is still 404: the condition applies to what exists.
    missing = await anonymous.get(
        f"{URL}/00000000-0000-7000-8000-000000000000", headers={"If-None-Match": "*"}
    )
    assert missing.status_code == 404


async def test_an_authenticated_read_is_304_and_still_no_store(client_as: ClientAs) -> None:
    notice, _ = await _publish(client_as)
    reader = client_as(f"{COUNTY}-miit", Role.viewer)
    for url in (URL, f"{URL}/{notice['id']}", f"{URL}/{notice['id']}/document", f"{URL}/feed.atom"):
        first, again = await _revalidated(reader, url)
        assert first.headers["cache-control"] == again.headers["cache-control"] == "no-store"
        assert again.status_code == 304 and again.headers["etag"] == first.headers["etag"]
