"""LTI 1.1 launches signed by oauthlib (OAuth 1.0a HMAC-SHA1, parameters in the body,
as LMSs send them): the variants a strict verifier tends to get wrong, then a replay
and a tampered body."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

import requests
from oauthlib.oauth1 import SIGNATURE_TYPE_BODY, Client

import cmi5
from harness import KnownIssue, describe, expect, expect_status, session

FORM = {"Content-Type": "application/x-www-form-urlencoded"}


@dataclass
class Lti11:
    bb_url: str
    key: str
    secret: str
    au: str
    # Signed bodies by launch letter: (e) replays (a)'s.
    bodies: dict[str, str] = field(default_factory=dict)


def launch_params(ctx: Lti11, user_id: str, extra: list[tuple[str, str]] = ()) -> list[tuple[str, str]]:
    return [
        ("lti_message_type", "basic-lti-launch-request"),
        ("lti_version", "LTI-1p0"),
        ("resource_link_id", "link-1"),
        ("user_id", user_id),
        ("roles", "Learner"),
        ("lis_person_name_full", "Zoë Ångström"),
        ("lis_person_contact_email_primary", "zoe@example.com"),
        ("context_id", "course-1"),
        ("launch_presentation_return_url", "https://lms.example.com/course/1?tab=modules"),
        ("lis_outcome_service_url", "https://lms.example.com/outcomes?x=1"),
        ("lis_result_sourcedid", f"sourced-{user_id}"),
        ("custom_au", ctx.au),
        *extra,
    ]


def signed_body(ctx: Lti11, signed_url: str, params: list[tuple[str, str]]) -> str:
    """oauthlib signs `params` as a POST to `signed_url`; returns the form body."""
    client = Client(ctx.key, client_secret=ctx.secret, signature_type=SIGNATURE_TYPE_BODY)
    _, _, body = client.sign(signed_url, http_method="POST", body=params, headers=FORM)
    return body


def post(url: str, body: str) -> requests.Response:
    return session().post(url, data=body.encode(), headers=FORM, allow_redirects=False)


def expect_au(ctx: Lti11, response: requests.Response, user_id: str, what: str) -> None:
    """The launch opens a working cmi5 session of the AU named by custom_au, as the user."""
    expect_status(response, 302, what)
    au = cmi5.parse_au_launch(ctx.bb_url, response.headers["Location"])
    account = {"homePage": f"{ctx.bb_url}/lti/11/consumers/{ctx.key}", "name": user_id}
    expect(au.actor.get("account") == account, f"{what}: expected actor account {account}, got {au.actor}")
    cmi5.expect_au_named(au, ctx.au, what)


def plain_launch_opens_the_au(ctx: Lti11) -> None:
    url = f"{ctx.bb_url}/lti/11/launch"
    body = signed_body(ctx, url, launch_params(ctx, "student-a"))
    ctx.bodies["a"] = body
    response = post(url, body)
    expect_au(ctx, response, "student-a", "(a) oauthlib-signed launch with custom_au")


def duplicate_parameter_names_are_signed_and_accepted(ctx: Lti11) -> None:
    url = f"{ctx.bb_url}/lti/11/launch"
    params = launch_params(ctx, "student-b", [("custom_x", "2"), ("custom_x", "1")])
    response = post(url, signed_body(ctx, url, params))
    expect_au(ctx, response, "student-b", "(b) launch with two custom_x parameters")


def a_launch_url_with_a_query_string_is_accepted(ctx: Lti11) -> None:
    url = f"{ctx.bb_url}/lti/11/launch?tenant=a&x=1"
    response = post(url, signed_body(ctx, url, launch_params(ctx, "student-c")))
    expect_au(ctx, response, "student-c", "(c) launch URL with ?tenant=a&x=1")


def a_url_signed_with_upper_case_scheme_and_host_is_accepted(ctx: Lti11) -> None:
    """RFC 5849 §3.4.1.2: scheme and host are lowercased in the base string, so a
    consumer may have the launch URL in any case (oauthlib normalises it)."""
    url = f"{ctx.bb_url}/lti/11/launch"
    scheme, rest = url.split("://", 1)
    host, path = rest.split("/", 1)
    shouted = f"{scheme.upper()}://{host.upper()}/{path}"
    response = post(url, signed_body(ctx, shouted, launch_params(ctx, "student-d")))
    expect_au(ctx, response, "student-d", f"(d) launch signed for {shouted}")


def a_replayed_launch_is_refused(ctx: Lti11) -> None:
    expect("a" in ctx.bodies, "needs launch (a) to have run first")
    response = post(f"{ctx.bb_url}/lti/11/launch", ctx.bodies["a"])
    expect_status(response, 401, "(e) launch (a)'s exact body posted again")
    expect("replayed_nonce" in response.text, f"(e) expected error code replayed_nonce, got {describe(response)}")


def a_tampered_launch_is_refused(ctx: Lti11) -> None:
    url = f"{ctx.bb_url}/lti/11/launch"
    body = signed_body(ctx, url, launch_params(ctx, "student-f"))
    expect("user_id=student-f" in body, f"expected user_id=student-f in the signed body: {body}")
    response = post(url, body.replace("user_id=student-f", "user_id=student-admin"))
    expect_status(response, 401, "(f) signed launch whose user_id was changed afterwards")
    expect("bad_signature" in response.text, f"(f) expected error code bad_signature, got {describe(response)}")


TESTS: list[tuple[str, Callable[[Lti11], object], KnownIssue | None]] = [
    ("lti11: (a) plain launch opens the AU and a cmi5 session",
     plain_launch_opens_the_au, None),
    ("lti11: (b) duplicate parameter names are accepted",
     duplicate_parameter_names_are_signed_and_accepted, None),
    ("lti11: (c) launch URL with a query string is accepted",
     a_launch_url_with_a_query_string_is_accepted, None),
    ("lti11: (d) URL signed with upper-case scheme and host is accepted",
     a_url_signed_with_upper_case_scheme_and_host_is_accepted, None),
    ("lti11: (e) replay of (a) is refused with replayed_nonce",
     a_replayed_launch_is_refused, None),
    ("lti11: (f) tampered body is refused with bad_signature",
     a_tampered_launch_is_refused, None),
]
