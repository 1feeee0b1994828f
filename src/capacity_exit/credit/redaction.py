"""Credentials out of what a platform answers, before any of it is stored.

Each attempt keeps an excerpt of the platform's answer (and an error text, which may
quote it), and the API shows both. A platform that echoes the request (a debugging
endpoint, a proxy's error page) would put our credentials there. So every known secret
is replaced by value (as written, JSON-escaped and percent-encoded), and so is the value
of anything shaped like a credential: authorization-like headers (`Authorization`,
`Proxy-Authorization`, `Cookie`, `X-Api-Key`, our `X-Signature` …), token, secret,
password, key-like JSON fields and query parameters, and `Bearer`/`Basic` credentials.
A value cut off by the end of the text is redacted to the end.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Iterable
from urllib.parse import quote, quote_plus

from capacity_exit.config import Settings
from capacity_exit.credit import targets

log = logging.getLogger(__name__)
REDACTED = "[REDACTED]"
MIN_SECRET_CHARS = 4  # shorter "secrets" would redact ordinary text

_HEADERS = (
    r"authorization|proxy-authorization|cookie|set-cookie|x-api-key|api-key|apikey"
    r"|x-auth-token|x-access-token|x-csrf-token|x-signature|x-amz-security-token"
)
_WORD = (
    r"[A-Za-z0-9_.-]*(?:authori[sz]ation|token|secret|passw(?:or)?d|passphrase|api[_-]?key"
    r"|access[_-]?key|private[_-]?key|cookie|signature|credential|session[_-]?id)[A-Za-z0-9_.-]*"
)
_EDGE = r"(?<![A-Za-z0-9_.-])"
_VALUE = rf"\g<1>{REDACTED}"  # the name (the first group) kept, its value redacted
_PATTERNS = (  # (pattern, replacement)
    # "password": "…" (or a bare value) in JSON, kept a JSON string; one cut off at the end
    (
        re.compile(rf'(?i)("{_WORD}"\s*:\s*)(?:"(?:[^"\\]|\\.)*(?:"|\\?$)|[^\s,}}\]]+)'),
        rf'\g<1>"{REDACTED}"',
    ),
    # Authorization: … (a header line, echoed as text or HTML), to the end of the line
    (re.compile(rf"(?i){_EDGE}((?:{_HEADERS})[ \t]*[:=][ \t]*)[^\r\n]*"), _VALUE),
    # ?access_token=… or client_secret=… (a query string or form)
    (re.compile(rf"(?i){_EDGE}({_WORD}=)[^&\s\"'<>]*"), _VALUE),
    # Bearer abc… / Basic dXNl… wherever they stand
    (re.compile(r"(?i)\b((?:bearer|basic)[ \t]+)[A-Za-z0-9._~+/-]+=*"), _VALUE),
)


def _forms(secret: str) -> set[str]:
    """How a secret can appear in an answer: as written, inside a JSON string, in a URL."""
    return {secret, json.dumps(secret)[1:-1], quote(secret, safe=""), quote_plus(secret)}


class Redactor:
    """Redacts a fixed set of secrets (by value) and credential-shaped values."""

    def __init__(self, secrets: Iterable[str] = ()) -> None:
        forms = {f for s in secrets if len(s) >= MIN_SECRET_CHARS for f in _forms(s)}
        self._forms = sorted(forms, key=len, reverse=True)  # the longest first

    @property
    def longest(self) -> int:
        return len(self._forms[0]) if self._forms else 0

    def __call__(self, text: str, *, cut: bool = False) -> str:
        """`text` without credentials; `cut`: the text is the start of a longer one, so a
        secret's beginning at its end is redacted too."""
        for form in self._forms:
            text = text.replace(form, REDACTED)
        if cut:
            text = self._cut_tail(text)
        for pattern, replacement in _PATTERNS:
            text = pattern.sub(replacement, text)
        return text

    def _cut_tail(self, text: str) -> str:
        for form in self._forms:
            for length in range(min(len(form) - 1, len(text)), MIN_SECRET_CHARS - 1, -1):
                if text.endswith(form[:length]):
                    return text[:-length] + REDACTED
        return text


def our_secrets(settings: Settings | None = None) -> list[str]:
    """Every configured target's secret, and the development token: what no stored
    answer may contain. A secret that cannot be read is left out (its target's attempts
    fail with their own error)."""
    found = [targets.DEVELOPMENT_TOKEN]
    for target in targets.configured(settings):
        try:
            found.append(target.secret())
        except OSError as exc:
            log.warning("credit target %s: secret unreadable: %s", target.code, exc)
    return found
