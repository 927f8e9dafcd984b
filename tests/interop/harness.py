"""The small test harness of the interop run: checks, a runner that counts, and the
HTTP and HTML helpers every test uses (no pytest: one script, one closing line)."""

from __future__ import annotations

import re
import traceback
from dataclasses import dataclass, field
from html import unescape
from html.parser import HTMLParser
from typing import Callable
from urllib.parse import parse_qsl, urlsplit

import requests


class CheckFailed(AssertionError):
    """A check that did not hold; the message says what was expected and what came."""


class Skipped(Exception):
    """A test that cannot run against this server (the feature it needs answers 404);
    printed as `skip` with the reason, counted neither as passed nor failed."""


def expect(condition: object, message: str) -> None:
    if not condition:
        raise CheckFailed(message)


def visible_text(html: str) -> str:
    """An HTML page's text, as a reader sees it (our error pages: message and code)."""
    html = re.sub(r"(?is)<(style|script)\b.*?</\1>", " ", html)
    return unescape(re.sub(r"(?s)<[^>]*>", " ", html))


def describe(response: requests.Response, limit: int = 600) -> str:
    """A response in one line, for failure messages (HTML pages keep their error code)."""
    body = response.text
    if "html" in response.headers.get("Content-Type", ""):
        body = visible_text(body)
    body = " ".join(body.split())
    if len(body) > limit:
        body = body[:limit] + "…"
    location = response.headers.get("Location")
    where = f" Location: {location}" if location else ""
    return f"{response.request.method} {response.url} -> {response.status_code}{where} {body}"


def expect_status(response: requests.Response, status: int, what: str) -> None:
    expect(
        response.status_code == status,
        f"{what}: expected HTTP {status}, got {describe(response)}",
    )


def session() -> requests.Session:
    """A browser-like client that does not follow redirects (the tests look at each
    hop) and ignores proxy settings and .netrc from the environment."""
    http = requests.Session()
    http.trust_env = False
    return http


def query_of(url: str) -> dict[str, str]:
    """A URL's query parameters (the last value wins, as the tests need single ones)."""
    return dict(parse_qsl(urlsplit(url).query, keep_blank_values=True))


@dataclass
class Form:
    action: str
    method: str
    fields: list[tuple[str, str, str]] = field(default_factory=list)  # type, name, value

    def value(self, name: str) -> str:
        values = [v for (_, n, v) in self.fields if n == name]
        expect(values, f"form {self.action}: expected a field named {name!r}, found {self.names()}")
        return values[0]

    def values(self, name: str) -> list[str]:
        return [v for (_, n, v) in self.fields if n == name]

    def names(self) -> list[str]:
        return [n for (_, n, _) in self.fields]


class _FormParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.forms: list[Form] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: (v or "") for k, v in attrs}
        if tag == "form":
            self.forms.append(Form(a.get("action", ""), a.get("method", "get").lower()))
        elif tag == "input" and self.forms and a.get("name"):
            self.forms[-1].fields.append((a.get("type", "text"), a["name"], a.get("value", "")))


def forms_of(html: str) -> list[Form]:
    parser = _FormParser()
    parser.feed(html)
    return parser.forms


def only_form(response: requests.Response, what: str) -> Form:
    forms = forms_of(response.text)
    expect(len(forms) == 1, f"{what}: expected one <form>, found {len(forms)} in {describe(response)}")
    return forms[0]


@dataclass(frozen=True)
class KnownIssue:
    """A server problem the run reproduces without counting it: the test must fail
    with `symptom` in its message (any other failure counts), and a pass is reported
    as FIXED and counts as a failure until the mark is removed."""

    description: str
    symptom: str


@dataclass
class Outcome:
    name: str
    passed: bool
    known_issue: KnownIssue | None = None
    skipped: bool = False


@dataclass
class Runner:
    """Runs named tests in order; a failure is reported and the run goes on."""

    outcomes: list[Outcome] = field(default_factory=list)

    def run(self, name: str, test: Callable[[], None], known_issue: KnownIssue | None = None) -> None:
        try:
            test()
        except Skipped as reason:
            print(f"skip   {name}\n       {reason}")
            self.outcomes.append(Outcome(name, True, skipped=True))
        except CheckFailed as failure:
            self._failed(name, str(failure), known_issue)
        except Exception:  # noqa: BLE001 - an unexpected error is a failure with its trace
            self._failed(name, traceback.format_exc().rstrip(), known_issue)
        else:
            if known_issue:
                print(f"FIXED  {name}\n       known issue no longer reproduces: {known_issue.description}")
                print("       remove its known_issue mark in tests/interop")
                self.outcomes.append(Outcome(name, False))
            else:
                print(f"ok     {name}")
                self.outcomes.append(Outcome(name, True))

    def _failed(self, name: str, message: str, known_issue: KnownIssue | None) -> None:
        indented = "\n".join("       " + line for line in message.splitlines())
        if known_issue and known_issue.symptom in message:
            print(f"known  {name}\n       {known_issue.description}\n{indented}")
            self.outcomes.append(Outcome(name, True, known_issue))
        else:
            print(f"FAIL   {name}\n{indented}")
            self.outcomes.append(Outcome(name, False))

    def summary(self) -> str:
        passed = sum(o.passed and not o.known_issue and not o.skipped for o in self.outcomes)
        skipped = sum(o.skipped for o in self.outcomes)
        failed = sum(not o.passed for o in self.outcomes)
        known = sum(bool(o.known_issue) for o in self.outcomes)
        lines = []
        if skipped:
            lines.append(f"interop: {skipped} skipped (see 'skip' above)")
        if known:
            lines.append(f"interop: {known} known issue(s) reproduced, not counted (see 'known' above)")
        lines.append(f"interop: {passed} passed, {failed} failed")
        return "\n".join(lines)

    @property
    def ok(self) -> bool:
        return all(o.passed for o in self.outcomes)
