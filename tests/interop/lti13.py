"""LTI 1.3 against lti1p3platform: platform-initiated login, the id_token it signs,
a resource link launch into a working cmi5 session, and Deep Linking whose response
lti1p3platform (and PyJWT with our published keys) must accept."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable
from urllib.parse import parse_qsl

import jwt
import requests

import cmi5
from harness import KnownIssue, describe, expect, expect_status, only_form, query_of, session
from lms_platform import CLIENT_ID, DEPLOYMENT_ID, INSTRUCTOR, LEARNER, Message, TestPlatform

LTI = "https://purl.imsglobal.org/spec/lti/claim/"
DL = "https://purl.imsglobal.org/spec/lti-dl/claim/"


@dataclass
class Lti13:
    bb_url: str
    platform: TestPlatform
    au: str
    # The admin credential, for our admin API (NRPS contexts).
    auth: tuple[str, str] = ("", "")


def login(ctx: Lti13, message: Message, method: str = "GET") -> str:
    """Platform-initiated login through our /lti/login (by GET, or by form POST, which
    Security Framework §5.1.1.1 also allows); returns the auth request URL we
    redirect the browser to."""
    url = ctx.platform.initiate_login(message)
    if method == "POST":
        base, _, query = url.partition("?")
        response = session().post(base, data=dict(parse_qsl(query)), allow_redirects=False)
    else:
        response = session().get(url, allow_redirects=False)
    expect_status(response, 302, f"{method} /lti/login (platform-initiated login)")
    location = response.headers["Location"]
    expect(
        location.startswith(f"{ctx.platform.url}/auth?"),
        f"login: expected a redirect to the registered auth URL {ctx.platform.url}/auth, got {location}",
    )
    params = query_of(location)
    expect(
        params.get("redirect_uri") == f"{ctx.bb_url}/lti/launch",
        f"auth request: expected redirect_uri {ctx.bb_url}/lti/launch, got {params.get('redirect_uri')!r}",
    )
    expect(params.get("state") and params.get("nonce"), f"auth request lacks state or nonce: {location}")
    return location


def authorize(ctx: Lti13, auth_url: str) -> tuple[str, dict[str, str]]:
    """The platform's auth endpoint answers with its auto-posting launch form."""
    response = session().get(auth_url)
    expect_status(response, 200, "lti1p3platform's auth endpoint (it refuses bad auth requests)")
    form = only_form(response, "platform launch form")
    expect(
        form.action == f"{ctx.bb_url}/lti/launch",
        f"platform form: expected action {ctx.bb_url}/lti/launch, got {form.action}",
    )
    id_token = form.value("id_token")
    claims = jwt.decode(id_token, options={"verify_signature": False})
    expect(
        claims.get("nonce") == query_of(auth_url)["nonce"],
        f"lti1p3platform's id_token: expected our nonce, got {claims.get('nonce')!r}",
    )
    return form.action, {"id_token": id_token, "state": form.value("state")}


def launch(ctx: Lti13, message: Message,
           login_method: str = "GET") -> tuple[requests.Response, dict[str, str]]:
    """login -> auth -> POST /lti/launch; returns our answer and the posted form."""
    action, fields = authorize(ctx, login(ctx, message, login_method))
    return session().post(action, data=fields, allow_redirects=False), fields


def learner(ctx: Lti13, user_id: str, custom: dict[str, str] | None = None,
            target: str | None = None) -> Message:
    return Message("resource_link", user_id, [LEARNER], custom=custom or {"au": ctx.au},
                   target_link_uri=target)


def instructor_picking(data: object) -> Message:
    return Message("deep_linking", "teacher-1", [INSTRUCTOR], name="Grace Hopper",
                   email="grace@example.com", deep_linking_data=data)


def resource_link_launch_opens_a_working_cmi5_session(ctx: Lti13) -> None:
    response, fields = launch(ctx, learner(ctx, "learner-1"))
    expect_status(response, 302, "POST /lti/launch with lti1p3platform's id_token")
    au = cmi5.parse_au_launch(ctx.bb_url, response.headers["Location"])
    expected_account = {"homePage": ctx.platform.url, "name": "learner-1"}
    expect(
        au.actor.get("account") == expected_account,
        f"actor: expected account {expected_account}, got {au.actor}",
    )
    expect(
        ctx.platform.jwks_requests > 0,
        "our server accepted the id_token without ever fetching the platform's JWKS",
    )
    data = cmi5.expect_au_named(au, ctx.au, "the AU named by custom.au")
    expect(data.get("launchMode") == "Normal", f"a learner launches in Normal mode, got {data}")
    expect(
        data.get("returnURL") == f"{ctx.platform.url}/course/1",
        f"LMS.LaunchData returnURL: expected the launch_presentation return_url, got {data}",
    )
    replay = session().post(f"{ctx.bb_url}/lti/launch", data=fields, allow_redirects=False)
    expect_status(replay, 401, "the same id_token and state posted again")
    expect("invalid_state" in replay.text, f"replay: expected error code invalid_state, got {describe(replay)}")


def login_initiation_by_form_post_also_launches(ctx: Lti13) -> None:
    response, _ = launch(ctx, learner(ctx, "learner-3"), login_method="POST")
    expect_status(response, 302, "POST /lti/launch after a login initiated by form POST")
    au = cmi5.parse_au_launch(ctx.bb_url, response.headers["Location"])
    cmi5.expect_au_named(au, ctx.au, "the AU named by custom.au")


def pick(ctx: Lti13, data: object, au: str) -> requests.Response:
    """Deep Linking request -> our picker -> our choice answer (the auto-post form)."""
    response, _ = launch(ctx, instructor_picking(data))
    expect_status(response, 200, "POST /lti/launch with lti1p3platform's LtiDeepLinkingRequest")
    picker = only_form(response, "Deep Linking picker")
    expect(
        picker.action == f"{ctx.bb_url}/lti/deep-linking",
        f"picker: expected action {ctx.bb_url}/lti/deep-linking, got {picker.action}",
    )
    offered = [value for (kind, name, value) in picker.fields if kind == "radio" and name == "au"]
    expect(au in offered, f"picker: expected a radio au={au}, offered {offered}")
    choice = {"context": picker.value("context"), "au": au}
    return session().post(picker.action, data=choice, allow_redirects=False)


def tool_keys(ctx: Lti13) -> jwt.PyJWKSet:
    response = session().get(f"{ctx.bb_url}/lti/jwks")
    expect_status(response, 200, "GET /lti/jwks")
    return jwt.PyJWKSet.from_dict(response.json())


def verified_response(ctx: Lti13, token: str) -> dict:
    """The Deep Linking response JWT, checked with PyJWT against our published keys."""
    kid = jwt.get_unverified_header(token).get("kid")
    keys = [k for k in tool_keys(ctx).keys if k.key_id == kid]
    expect(keys, f"deep linking response: kid {kid!r} is not in /lti/jwks")
    return jwt.decode(token, keys[0].key, algorithms=["RS256"], audience=ctx.platform.url,
                      issuer=CLIENT_ID, options={"require": ["iat", "exp", "nonce"]})


def return_to_platform(ctx: Lti13, answer: requests.Response) -> tuple[dict, list[dict]]:
    """Posts our auto-post form to the platform, which validates it with lti1p3platform."""
    expect_status(answer, 200, "POST /lti/deep-linking with a chosen AU")
    form = only_form(answer, "Deep Linking response form")
    expect(
        form.action == f"{ctx.platform.url}/deep-links?course=1",
        f"response form: expected action = the deep_link_return_url, got {form.action}",
    )
    token = form.value("JWT")
    accepted = session().post(form.action, data={"JWT": token})
    expect_status(accepted, 200, "lti1p3platform validate_deeplinking_resp on our JWT")
    return verified_response(ctx, token), accepted.json()["contentItems"]


def deep_linking_returns_a_link_the_platform_accepts(ctx: Lti13) -> list[dict]:
    claims, items = return_to_platform(ctx, pick(ctx, "opaque-123", ctx.au))
    message_type = claims.get(f"{LTI}message_type")
    expect(message_type == "LtiDeepLinkingResponse",
           f"message_type: expected LtiDeepLinkingResponse, got {message_type!r}")
    expect(claims.get(f"{LTI}deployment_id") == DEPLOYMENT_ID,
           f"deployment_id: expected {DEPLOYMENT_ID}, got {claims.get(f'{LTI}deployment_id')!r}")
    expect(claims.get(f"{DL}data") == "opaque-123",
           f"data: expected the request's 'opaque-123' echoed, got {claims.get(f'{DL}data')!r}")
    expect(len(items) == 1, f"expected one content item, got {items}")
    item = items[0]
    expect(item.get("type") == "ltiResourceLink", f"content item: expected ltiResourceLink, got {item}")
    expect(item.get("custom", {}).get("au") == ctx.au, f"content item: expected custom.au={ctx.au}, got {item}")
    expect(item.get("lineItem", {}).get("scoreMaximum") == 100,
           f"content item: the platform offered AGS, so expected lineItem.scoreMaximum 100, got {item}")
    return items


def the_deep_linked_resource_launches_its_au(ctx: Lti13) -> None:
    """The platform stores the item and launches it: its url as target, its custom."""
    item = deep_linking_returns_a_link_the_platform_accepts(ctx)[0]
    message = learner(ctx, "learner-2", custom=item["custom"], target=item.get("url"))
    response, _ = launch(ctx, message)
    expect_status(response, 302, "launching the deep-linked resource link")
    au = cmi5.parse_au_launch(ctx.bb_url, response.headers["Location"])
    cmi5.expect_au_named(au, ctx.au, "the AU named by custom.au")


def deep_linking_data_as_a_json_object_is_echoed(ctx: Lti13) -> None:
    """lti1p3platform's set_dl(extra_data=...) is typed as a dict, so platforms built
    on it send `data` as a JSON object. Deep Linking 2.0 §4.4.1 calls it "an opaque
    value which must be returned by the tool"; the spec's JSON binding types it
    String, so the platform deviates, but echoing any JSON value back unchanged would
    let such platforms work instead of failing the instructor's whole selection."""
    data = {"csrf": "token-1", "course": 1}
    claims, _ = return_to_platform(ctx, pick(ctx, data, ctx.au))
    echoed = claims.get(f"{DL}data")
    expect(echoed == data, f"data: expected {data} echoed, got {echoed!r}")


TESTS: list[tuple[str, Callable[[Lti13], object], KnownIssue | None]] = [
    ("lti13: resource link launch opens a working cmi5 session",
     resource_link_launch_opens_a_working_cmi5_session, None),
    ("lti13: login initiation by form POST also launches",
     login_initiation_by_form_post_also_launches, None),
    ("lti13: deep linking returns a link lti1p3platform accepts",
     deep_linking_returns_a_link_the_platform_accepts, None),
    ("lti13: the deep-linked resource link launches its AU",
     the_deep_linked_resource_launches_its_au, None),
    ("lti13: deep linking data given as a JSON object is echoed",
     deep_linking_data_as_a_json_object_is_echoed, None),
]
