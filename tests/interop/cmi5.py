"""What an AU does after any LTI launch lands on it (cmi5 §8.2, §10, §9.3.2): read the
launch URL, trade the fetch URL for a token, read LMS.LaunchData, send `initialized`."""

from __future__ import annotations

import copy
import json
import uuid
from dataclasses import dataclass
from datetime import datetime, timezone
from urllib.parse import urlsplit

from harness import expect, expect_status, query_of, session

XAPI_VERSION = "1.0.3"
CMI5_CATEGORY = "https://w3id.org/xapi/cmi5/context/categories/cmi5"
INITIALIZED = "http://adlnet.gov/expapi/verbs/initialized"
MOVEON_CATEGORY = "https://w3id.org/xapi/cmi5/context/categories/moveon"
MASTERY_SCORE = "https://w3id.org/xapi/cmi5/context/extensions/masteryscore"
PROGRESS = "https://w3id.org/xapi/cmi5/result/extensions/progress"
LAUNCH_PARAMETERS = ("endpoint", "fetch", "actor", "registration", "activityId")


@dataclass
class AuLaunch:
    """The AU launch URL's parameters (cmi5 §8.1)."""

    url: str
    endpoint: str
    fetch: str
    actor: dict
    registration: str
    activity_id: str


def parse_au_launch(bb_url: str, location: str) -> AuLaunch:
    expect(
        location.startswith(f"{bb_url}/content/"),
        f"expected a redirect to an AU under {bb_url}/content/, got Location: {location}",
    )
    params = query_of(location)
    missing = [name for name in LAUNCH_PARAMETERS if not params.get(name)]
    expect(not missing, f"AU launch URL lacks cmi5 parameters {missing}: {location}")
    return AuLaunch(
        url=location,
        endpoint=params["endpoint"].rstrip("/"),
        fetch=params["fetch"],
        actor=json.loads(params["actor"]),
        registration=params["registration"],
        activity_id=params["activityId"],
    )


def fetch_token(launch: AuLaunch) -> str:
    """POSTs the fetch URL (cmi5 §8.2.2) and returns the auth-token."""
    response = session().post(launch.fetch)
    expect_status(response, 200, "POST to the AU's fetch URL")
    token = response.json().get("auth-token")
    expect(token, f"fetch URL answer: expected an auth-token, got {response.text}")
    return token


def _xapi_headers(token: str) -> dict[str, str]:
    return {"Authorization": f"Basic {token}", "X-Experience-API-Version": XAPI_VERSION}


def launch_data(launch: AuLaunch, token: str) -> dict:
    """GETs the LMS.LaunchData State document (cmi5 §10) with the session token."""
    response = session().get(
        f"{launch.endpoint}/activities/state",
        params={
            "stateId": "LMS.LaunchData",
            "activityId": launch.activity_id,
            "agent": json.dumps(launch.actor),
            "registration": launch.registration,
        },
        headers=_xapi_headers(token),
    )
    expect_status(response, 200, "GET LMS.LaunchData with the AU's token")
    data = response.json()
    expect(
        "contextTemplate" in data and "launchMode" in data,
        f"LMS.LaunchData: expected contextTemplate and launchMode, got {data}",
    )
    return data


def read_learner_preferences(launch: AuLaunch, token: str) -> None:
    """GETs cmi5LearnerPreferences (cmi5 §11), as an AU must before `initialized`;
    404 means none were saved."""
    response = session().get(
        f"{launch.endpoint}/agents/profile",
        params={"profileId": "cmi5LearnerPreferences", "agent": json.dumps(launch.actor)},
        headers=_xapi_headers(token),
    )
    expect(
        response.status_code in (200, 404),
        f"GET cmi5LearnerPreferences with the AU's token: expected 200 or 404, got "
        f"{response.status_code} {response.text}",
    )


def initialized_statement(launch: AuLaunch, data: dict) -> dict:
    """An `initialized` statement the way cmi5 §9.3.2 / §9.6.2 builds it: the
    contextTemplate, plus the registration and the cmi5 category."""
    context = copy.deepcopy(data["contextTemplate"])
    context["registration"] = launch.registration
    activities = context.setdefault("contextActivities", {})
    activities.setdefault("category", []).append({"id": CMI5_CATEGORY})
    return {
        "id": str(uuid.uuid4()),
        "actor": launch.actor,
        "verb": {"id": INITIALIZED, "display": {"en-US": "initialized"}},
        "object": {"objectType": "Activity", "id": launch.activity_id},
        "context": context,
        "timestamp": datetime.now(timezone.utc).isoformat(timespec="milliseconds"),
    }


def send_initialized(launch: AuLaunch, token: str, data: dict) -> None:
    statement = initialized_statement(launch, data)
    response = session().post(
        f"{launch.endpoint}/statements",
        json=statement,
        headers=_xapi_headers(token),
    )
    expect_status(response, 200, "POST an initialized statement with the AU's token")
    expect(
        response.json() == [statement["id"]],
        f"statement POST: expected [{statement['id']!r}], got {response.text}",
    )


def run_session(launch: AuLaunch) -> dict:
    """Everything an AU does first; returns LMS.LaunchData."""
    expect(
        urlsplit(launch.endpoint).scheme in ("http", "https"),
        f"endpoint must be an absolute URL, got {launch.endpoint!r}",
    )
    token = fetch_token(launch)
    data = launch_data(launch, token)
    read_learner_preferences(launch, token)
    send_initialized(launch, token, data)
    return data


def expect_au_named(launch: AuLaunch, au_id: str, what: str) -> dict:
    """The launch opens the AU whose publisher id (cmi5.xml, LTI's custom.au) is `au_id`.
    cmi5 §8.1.5: `activityId` is the LMS's own id for the AU, never the publisher's,
    which rides in LMS.LaunchData's contextTemplate as a `grouping` activity (§9.6.2.3).
    Runs the AU's first steps to read it; returns LMS.LaunchData."""
    expect(
        launch.activity_id != au_id,
        f"{what}: activityId must be the LMS's own id for the AU, not the publisher's {au_id}",
    )
    data = run_session(launch)
    grouping = data["contextTemplate"].get("contextActivities", {}).get("grouping", [])
    ids = [activity.get("id") for activity in grouping]
    expect(au_id in ids, f"{what}: expected the AU {au_id} in the contextTemplate grouping, got {ids}")
    return data



def statement(launch: AuLaunch, data: dict, verb: str, result: dict | None = None,
              category: str | None = CMI5_CATEGORY) -> dict:
    """A statement of the session: the contextTemplate plus the registration; cmi5
    defined statements carry the cmi5 category (and moveOn ones the moveon category,
    §9.6.2.2), allowed ones none (§9.6.2.1); `passed` names the mastery score (§9.5.2)."""
    context = copy.deepcopy(data["contextTemplate"])
    context["registration"] = launch.registration
    activities = context.setdefault("contextActivities", {})
    activities.pop("category", None)
    if category:
        activities["category"] = [{"id": category}]
        if result and ("success" in result or "completion" in result):
            activities["category"].append({"id": MOVEON_CATEGORY})
    if verb == "passed" and data.get("masteryScore") is not None:
        context.setdefault("extensions", {})[MASTERY_SCORE] = data["masteryScore"]
    s = {
        "id": str(uuid.uuid4()),
        "actor": launch.actor,
        "verb": {"id": f"http://adlnet.gov/expapi/verbs/{verb}", "display": {"en-US": verb}},
        "object": {"objectType": "Activity", "id": launch.activity_id},
        "context": context,
        "timestamp": datetime.now(timezone.utc).isoformat(timespec="milliseconds"),
    }
    if result is not None:
        s["result"] = result
    return s


def send(launch: AuLaunch, token: str, statement_: dict) -> None:
    response = session().post(f"{launch.endpoint}/statements", json=statement_,
                              headers=_xapi_headers(token))
    verb = statement_["verb"]["id"].rsplit("/", 1)[-1]
    expect_status(response, 200, f"POST a {verb} statement with the AU's token")
