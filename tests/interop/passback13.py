"""Scores back to lti1p3platform (LTI AGS 2.0): a learner's launch and statements
become scores its AGS service receives in order and well formed; learners whose link
has no column share the one our tool creates; a Deep Linking placement makes the column
and the scores land on it. The platform's token endpoint checks our client assertion."""

from __future__ import annotations

import time
from datetime import datetime
from typing import Callable

import requests

import cmi5
import lti13
from harness import KnownIssue, expect, expect_status
from lms_platform import LEARNER, Message
from lms_services import SCOPE_SCORE, ReceivedScore
from lti13 import Lti13

TAG = "blackbelt"


def wait_for(what: str, check: Callable[[], object], timeout: float = 30.0) -> object:
    """Polls `check` until it returns something true; fails after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        found = check()
        if found:
            return found
        expect(time.monotonic() < deadline, f"never happened within {timeout:.0f} s: {what}")
        time.sleep(0.05)


def progress(score: ReceivedScore) -> tuple[str, str]:
    return score.score.get("activityProgress"), score.score.get("gradingProgress")


def scores_of(ctx: Lti13, lineitem: str, user: str) -> list[ReceivedScore]:
    return ctx.platform.gradebook.scores_on(lineitem, user)


def wait_score(ctx: Lti13, lineitem: str, user: str, activity: str, grading: str = "NotReady") -> None:
    wait_for(
        f"a {activity}/{grading} score for {user} on {lineitem} "
        f"(received: {[progress(s) for s in scores_of(ctx, lineitem, user)]})",
        lambda: any(progress(s) == (activity, grading) for s in scores_of(ctx, lineitem, user)),
    )


def launch_learner(ctx: Lti13, message: Message) -> cmi5.AuLaunch:
    response, _ = lti13.launch(ctx, message)
    expect_status(response, 302, f"launch of {message.user_id} on {message.resource_link_id}")
    return cmi5.parse_au_launch(ctx.bb_url, response.headers["Location"])


def run_au(au: cmi5.AuLaunch, step: Callable[[str], None] = lambda _: None) -> None:
    """What the AU does: token, LaunchData, preferences, then initialized, progress,
    completed and passed (9 of 10). `step(activityProgress)` is called after each
    statement that should reach the platform on its own, to wait for it."""
    token = cmi5.fetch_token(au)
    data = cmi5.launch_data(au, token)
    cmi5.read_learner_preferences(au, token)
    cmi5.send(au, token, cmi5.statement(au, data, "initialized"))
    step("Started")
    cmi5.send(au, token, cmi5.statement(au, data, "progressed", {"extensions": {cmi5.PROGRESS: 50}},
                                        category=None))
    step("InProgress")
    cmi5.send(au, token, cmi5.statement(au, data, "completed", {"completion": True, "duration": "PT9M"}))
    cmi5.send(au, token, cmi5.statement(au, data, "passed", {
        "success": True, "duration": "PT9M",
        "score": {"scaled": 0.9, "raw": 9, "min": 0, "max": 10}}))


def expect_well_formed(scores: list[ReceivedScore], user: str) -> None:
    """Every score: accepted (none older than the last), `userId` = the launch's sub,
    timestamps strictly increasing in distinct whole seconds (Moodle's rule), no
    `scoreGiven` before there is one, `scoreMaximum` 100 with it; the last one is
    Completed/FullyGraded, 90 of 100, with a comment saying what happened."""
    seen = [progress(s) for s in scores]
    expect(scores, f"no score for {user}")
    refused = [(progress(s), s.status) for s in scores if s.status >= 300]
    expect(not refused, f"the platform refused scores as older than the last: {refused} in {seen}")
    last_at = None
    for s in scores:
        body = s.score
        expect(body.get("userId") == user, f"userId: expected the sub {user!r}, got {body}")
        stamp = str(body.get("timestamp", ""))
        expect(stamp.endswith("Z") and "." in stamp, f"timestamp: expected UTC with a fraction, got {stamp!r}")
        at = datetime.fromisoformat(stamp.replace("Z", "+00:00"))
        if last_at is not None:
            expect(int(at.timestamp()) > int(last_at.timestamp()),
                   f"timestamps must rise by whole seconds: {last_at} then {at} in {seen}")
        last_at = at
        if body.get("gradingProgress") != "FullyGraded":
            expect("scoreGiven" not in body, f"a score before there is one: {body}")
        else:
            expect(body.get("scoreMaximum") == 100, f"scoreMaximum: expected 100, got {body}")
    last = scores[-1].score
    expect(progress(scores[-1]) == ("Completed", "FullyGraded"),
           f"last score: expected Completed/FullyGraded, got {seen}")
    expect(last.get("scoreGiven") == 90, f"scoreGiven: expected 90 (scaled 0.9 × 100), got {last}")
    comment = str(last.get("comment", ""))
    expect(comment.startswith("Passed") and "9 of 10" in comment,
           f"comment: expected 'Passed, 9 of 10 …', got {comment!r}")


def scores_reach_the_platform_in_order_with_the_right_fields(ctx: Lti13) -> None:
    book = ctx.platform.gradebook
    item = book.add({"label": "Policy essentials", "scoreMaximum": 100,
                     "resourceLinkId": "link-scores"}, by="platform")
    user = "learner-scores"
    au = launch_learner(ctx, Message("resource_link", user, [LEARNER], custom={"au": ctx.au},
                                     resource_link_id="link-scores", lineitem=item["id"]))
    wait_score(ctx, item["id"], user, "Initialized")
    run_au(au, lambda activity: wait_score(ctx, item["id"], user, activity))
    wait_score(ctx, item["id"], user, "Completed", "FullyGraded")
    scores = scores_of(ctx, item["id"], user)
    seen = [progress(s) for s in scores]
    expected = [("Initialized", "NotReady"), ("Started", "NotReady"), ("InProgress", "NotReady")]
    expect(seen[:3] == expected, f"scores: expected {expected} first, got {seen}")
    expect(seen[3:] in ([("Completed", "FullyGraded")],
                        [("Completed", "NotReady"), ("Completed", "FullyGraded")]),
           f"scores: expected Completed (then FullyGraded) last, got {seen}")
    expect_well_formed(scores, user)
    expect(not book.refused_media_types, f"scores sent as {book.refused_media_types}")
    granted = ctx.platform.token_endpoint.granted
    expect(any(SCOPE_SCORE in g.split() for g in granted),
           f"no token with the score scope was issued: {granted}")
    refused = ctx.platform.token_endpoint.refused
    expect(not refused, f"the token endpoint refused our client assertion: {refused}")
    made = [i for by, i in book.items_on_link("link-scores") if by == "tool"]
    expect(not made, f"the link had its line item; the tool made another: {made}")


def learners_with_only_the_container_share_the_line_item_the_tool_creates(ctx: Lti13) -> None:
    """Three learners launch a link whose claim names only the container: their first
    scores race to find-or-create the column, and exactly one is made."""
    book = ctx.platform.gradebook
    users = [f"learner-container-{n}" for n in range(1, 4)]
    for user in users:
        launch_learner(ctx, Message("resource_link", user, [LEARNER], custom={"au": ctx.au},
                                    resource_link_id="link-container"))

    def everyone_initialized() -> list[dict]:
        items = [i for _, i in book.items_on_link("link-container")]
        if len(items) != 1:
            return []
        got = {s.score.get("userId") for s in book.scores_on(items[0]["id"])
               if s.score.get("activityProgress") == "Initialized"}
        return items if got == set(users) else []

    wait_for(f"Initialized scores for {users} on one line item of link-container "
             f"(items: {book.items_on_link('link-container')})", everyone_initialized)
    made = book.items_on_link("link-container")
    expect(len(made) == 1, f"expected one line item for the link, got {made}")
    by, item = made[0]
    expect(by == "tool", f"expected the tool to create it, got {by}")
    expect(item.get("resourceId") == ctx.au and item.get("tag") == TAG and item.get("scoreMaximum") == 100
           and item.get("label"), f"created line item: expected resourceId, tag {TAG}, scoreMaximum 100, "
           f"a label; got {item}")
    time.sleep(1.5)  # any late duplicate would show now
    expect(len(book.items_on_link("link-container")) == 1,
           f"a second line item appeared: {book.items_on_link('link-container')}")


def a_deep_linking_placement_creates_the_line_item_the_scores_land_on(ctx: Lti13) -> None:
    answer: requests.Response = lti13.pick(ctx, "placement-scores", ctx.au)
    _, items = lti13.return_to_platform(ctx, answer)
    expect(ctx.platform.placements, "the platform recorded no placement")
    link_id, item, made = ctx.platform.placements[-1]
    expect(item.get("custom", {}).get("au") == ctx.au, f"placed item: expected custom.au, got {item}")
    expect(made is not None, f"the placed link asked for no line item: {item}")
    expect(made.get("scoreMaximum") == 100 and made.get("resourceId") == ctx.au
           and made.get("tag") == TAG and made.get("label"),
           f"line item made from the lineItem: expected scoreMaximum 100, resourceId, tag, label; got {made}")
    user = "learner-placed"
    au = launch_learner(ctx, Message("resource_link", user, [LEARNER], custom=item["custom"],
                                     target_link_uri=item.get("url"), resource_link_id=link_id,
                                     lineitem=made["id"]))
    run_au(au)
    wait_score(ctx, made["id"], user, "Completed", "FullyGraded")
    expect_well_formed(scores_of(ctx, made["id"], user), user)
    on_link = ctx.platform.gradebook.items_on_link(link_id)
    expect([by for by, _ in on_link] == ["platform"],
           f"expected only the placement's line item on {link_id}, got {on_link}")


TESTS: list[tuple[str, Callable[[Lti13], object], KnownIssue | None]] = [
    ("passback: lti13 scores reach lti1p3platform in order with the right fields",
     scores_reach_the_platform_in_order_with_the_right_fields, None),
    ("passback: lti13 learners with only the container share one created line item",
     learners_with_only_the_container_share_the_line_item_the_tool_creates, None),
    ("passback: lti13 a Deep Linking placement creates the line item the scores land on",
     a_deep_linking_placement_creates_the_line_item_the_scores_land_on, None),
]
