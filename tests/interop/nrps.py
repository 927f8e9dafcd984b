"""NRPS 2.0 against lti1p3platform: a launch carrying the names and roles claim makes
our server record the course; a sync reads lti1p3platform's memberships (two a page,
`Link: rel="next"`), and our admin API lists the same members. Needs the roster API
(`GET /api/lti/contexts`); where the server answers 404 there, the test is skipped."""

from __future__ import annotations

from typing import Callable

import lti13
from harness import KnownIssue, Skipped, describe, expect, expect_status, session
from lms_platform import LEARNER, ROSTER, Message
from lti13 import Lti13
from passback13 import wait_for


def contexts(ctx: Lti13) -> list[dict]:
    response = session().get(f"{ctx.bb_url}/api/lti/contexts", auth=ctx.auth)
    if response.status_code == 404:
        raise Skipped("GET /api/lti/contexts answers 404: this server has no roster API yet")
    expect_status(response, 200, "GET /api/lti/contexts")
    return response.json()


def members(ctx: Lti13, context_id: int) -> list[dict]:
    found, after = [], None
    for _ in range(100):
        params = {"limit": 50, **({"after": after} if after else {})}
        response = session().get(f"{ctx.bb_url}/api/lti/contexts/{context_id}/members",
                                 params=params, auth=ctx.auth)
        expect_status(response, 200, f"GET /api/lti/contexts/{context_id}/members")
        page = response.json()
        found += page["members"]
        after = page.get("more")
        if not after:
            return found
    raise AssertionError("members: more than 100 pages")


def as_platform_says(member: dict) -> tuple:
    return (member["user_id"], member["name"], member["given_name"], member["family_name"],
            member["email"], tuple(sorted(member["roles"])), member["status"])


def as_we_say(member: dict) -> tuple:
    return (member.get("userId"), member.get("name"), member.get("givenName"),
            member.get("familyName"), member.get("email"), tuple(sorted(member.get("roles") or [])),
            member.get("status"))


def members_are_read_from_the_platform(ctx: Lti13) -> None:
    contexts(ctx)  # skips when the roster API is missing
    response, _ = lti13.launch(ctx, Message("resource_link", "learner-nrps", [LEARNER],
                                            custom={"au": ctx.au}, nrps=True))
    expect_status(response, 302, "launch with the NRPS claim")
    memberships = f"{ctx.platform.url}/api/memberships"
    recorded = wait_for(
        "the launch's course in GET /api/lti/contexts",
        lambda: [c for c in contexts(ctx) if c.get("contextId") == "course-1"
                 and str(c.get("membershipsUrl")).startswith(memberships)], 10)
    context = recorded[0]
    sync = session().post(f"{ctx.bb_url}/api/lti/contexts/{context['id']}/sync", auth=ctx.auth)
    expect(sync.status_code == 202, f"POST sync: expected 202, got {describe(sync)}")
    expected = sorted(as_platform_says(m) for m in ROSTER)

    def synced() -> list[tuple]:
        got = sorted(as_we_say(m) for m in members(ctx, context["id"]))
        return got if got == expected else []

    wait_for(f"the members lti1p3platform serves ({expected}); we list "
             f"{sorted(as_we_say(m) for m in members(ctx, context['id']))}", synced, 30)
    after = [c for c in contexts(ctx) if c["id"] == context["id"]][0]
    expect(after.get("members") == len(ROSTER) and after.get("lastSynced"),
           f"context after the sync: expected members {len(ROSTER)} and lastSynced, got {after}")
    missing = session().get(f"{ctx.bb_url}/api/lti/contexts/999999999/members", auth=ctx.auth)
    expect(missing.status_code == 404 and "context_not_found" in missing.text,
           f"an unknown context: expected 404 context_not_found, got {describe(missing)}")


TESTS: list[tuple[str, Callable[[Lti13], object], KnownIssue | None]] = [
    ("nrps: members are read from lti1p3platform's memberships service",
     members_are_read_from_the_platform, None),
]
