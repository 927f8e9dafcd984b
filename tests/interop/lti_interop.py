"""Interop run: third-party LTI code (lti1p3platform, oauthlib) launches modules on a
running Black Belt server. Run by tests/interop/run.sh; needs BB_URL, BB_KEY and
BB_SECRET (an admin credential). Prints one line per test and closes with
`interop: N passed, M failed`; exits 1 when anything failed."""

from __future__ import annotations

import os
import sys

import lti11
import lti13
import nrps
import passback11
import passback13
from harness import Runner, describe, expect, session
from lms_platform import TestPlatform

AU = "https://blackbelt.example/courses/all-employees/au/policy-essentials"


def admin_post(bb_url: str, auth: tuple[str, str], path: str, body: dict) -> dict:
    response = session().post(f"{bb_url}{path}", json=body, auth=auth)
    expect(response.status_code == 201, f"POST {path}: expected 201, got {describe(response)}")
    return response.json()


def lti13_context(bb_url: str, auth: tuple[str, str], platform: TestPlatform) -> lti13.Lti13:
    admin_post(bb_url, auth, "/api/lti/platforms", platform.tool_registration())
    return lti13.Lti13(bb_url, platform, AU, auth)


def lti11_context(bb_url: str, auth: tuple[str, str]) -> lti11.Lti11:
    consumer = admin_post(bb_url, auth, "/api/lti/consumers", {"name": "oauthlib interop"})
    expect(
        consumer.get("launchUrl") == f"{bb_url}/lti/11/launch",
        f"new consumer: expected launchUrl {bb_url}/lti/11/launch, got {consumer}",
    )
    return lti11.Lti11(bb_url, consumer["consumerKey"], consumer["secret"], AU)


def _raising(error: Exception):
    def test() -> None:
        raise error

    return test


def run_group(runner: Runner, name: str, make_context, tests) -> None:
    """Sets a group up (a failed set-up is one failure) and runs its tests."""
    try:
        ctx = make_context()
    except Exception as error:  # noqa: BLE001 - reported like a failed test
        runner.run(f"{name}: set-up", _raising(error))
        return
    for title, test, known_issue in tests:
        runner.run(title, lambda test=test: test(ctx), known_issue)


def main() -> int:
    bb_url = os.environ["BB_URL"].rstrip("/")
    auth = (os.environ["BB_KEY"], os.environ["BB_SECRET"])
    runner = Runner()
    platform = TestPlatform(bb_url).start()
    try:
        run_group(runner, "lti13", lambda: lti13_context(bb_url, auth, platform),
                  lti13.TESTS + passback13.TESTS + nrps.TESTS)
    finally:
        platform.stop()
    run_group(runner, "lti11", lambda: lti11_context(bb_url, auth), lti11.TESTS + passback11.TESTS)
    print(runner.summary())
    return 0 if runner.ok else 1


if __name__ == "__main__":
    sys.exit(main())
