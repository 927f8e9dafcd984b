"""Scores back to an LTI 1.1 consumer (Basic Outcomes 1.1): a launch with
`lis_outcome_service_url` and `lis_result_sourcedid`, the learner passes, and the
consumer's outcome service (lti11_outcomes.py) verifies our replaceResult with oauthlib
(signature) and the SHA-1 body hash, then reads the POX."""

from __future__ import annotations

import time
from typing import Callable

from oauthlib.oauth1 import Client

import cmi5
import lti11
from harness import KnownIssue, expect, session
from lti11 import Lti11
from lti11_outcomes import OutcomeService
from passback13 import wait_for

POX = {"Content-Type": "application/xml"}


def consumer_checks_are_not_vacuous(service: OutcomeService, key: str, secret: str) -> None:
    """oauthlib-signed replaceResults that must be refused: a wrong secret, and a body
    changed after signing (its hash no longer matches)."""
    url = f"{service.url}/outcomes?course=1"
    body = "<imsx_POXEnvelopeRequest/>"
    for what, signer_secret, sent in (("a wrong secret", "not-the-secret", body),
                                      ("a body changed after signing", secret, body + " ")):
        client = Client(key, client_secret=signer_secret)
        signed_url, headers, _ = client.sign(url, http_method="POST", body=body, headers=POX)
        answer = session().post(signed_url, data=sent.encode(), headers=headers)
        expect(answer.status_code == 401,
               f"the outcome service took a replaceResult signed with {what}: {answer.status_code}")
    service.received.clear()


def a_passing_learner_gets_one_verified_replace_result(ctx: Lti11) -> None:
    service = OutcomeService(ctx.key, ctx.secret)
    try:
        consumer_checks_are_not_vacuous(service, ctx.key, ctx.secret)
        url = f"{ctx.bb_url}/lti/11/launch"
        sourcedid = "course-1|student-passback|policy"
        params = [(k, v) for k, v in lti11.launch_params(ctx, "student-passback")
                  if k not in ("lis_outcome_service_url", "lis_result_sourcedid")]
        params += [("lis_outcome_service_url", f"{service.url}/outcomes?course=1"),
                   ("lis_result_sourcedid", sourcedid)]
        response = lti11.post(url, lti11.signed_body(ctx, url, params))
        expect(response.status_code == 302, f"LTI 1.1 launch with an outcome service: {response.status_code} "
               f"{response.text[:300]}")
        au = cmi5.parse_au_launch(ctx.bb_url, response.headers["Location"])
        token = cmi5.fetch_token(au)
        data = cmi5.launch_data(au, token)
        cmi5.read_learner_preferences(au, token)
        for verb, result in (("initialized", None),
                             ("completed", {"completion": True, "duration": "PT9M"}),
                             ("passed", {"success": True, "duration": "PT9M",
                                         "score": {"scaled": 0.9, "raw": 9, "min": 0, "max": 10}})):
            cmi5.send(au, token, cmi5.statement(au, data, verb, result))
        wait_for("a replaceResult at the consumer's outcome service", lambda: service.received, 30)
        time.sleep(1.5)  # a second one (there must be none) would arrive now
        received = list(service.received)
        expect(len(received) == 1, f"expected one replaceResult (only passing gives a number), got {received}")
        seen = received[0]
        expect(seen.signature_ok, f"oauthlib did not verify the OAuth 1.0a signature: {seen}")
        expect(seen.body_hash_ok, f"oauth_body_hash is not the SHA-1 of the body: {seen}")
        expect(seen.path == "/outcomes?course=1", f"posted to {seen.path}, expected /outcomes?course=1")
        expect((seen.content_type or "").startswith("application/xml"),
               f"Content-Type: expected application/xml, got {seen.content_type!r}")
        expect(seen.operation == "replaceResultRequest", f"operation: {seen.operation!r}")
        expect(seen.sourcedid == sourcedid, f"sourcedId: expected {sourcedid!r}, got {seen.sourcedid!r}")
        expect(seen.score is not None and abs(float(seen.score) - 0.9) < 1e-9,
               f"resultScore: expected 0.9, got {seen.score!r}")
        expect(seen.language == "en", f"resultScore language: expected en, got {seen.language!r}")
        expect(seen.message_id, "no imsx_messageIdentifier")
    finally:
        service.stop()


TESTS: list[tuple[str, Callable[[Lti11], object], KnownIssue | None]] = [
    ("passback: lti11 replaceResult verified by oauthlib (signature, body hash) with the score",
     a_passing_learner_gets_one_verified_replace_result, None),
]
