"""The platform's LTI Advantage services for the interop run, on lti1p3platform's own
classes: the token endpoint (`get_access_token`, which checks our client assertion JWT
against our published JWKS), AGS line items and scores (`AssignmentsGradesService`) and
NRPS memberships (`NamesRoleProvisioningService`). lti1p3platform brings the handlers
(bearer token checks, scopes, paging, status codes) but neither storage nor HTTP: this
file is the storage (a gradebook and a roster, in memory) and the glue from
http.server's requests to its `Request`, and from its `Response` back to HTTP."""

from __future__ import annotations

import json
import re
import threading
import typing as t
from dataclasses import dataclass, field
from datetime import datetime
from urllib.parse import parse_qsl

import jwt
from lti1p3platform.exceptions import (
    LineItemNotFoundException,
    LtiException,
    LtiServiceException,
    MissingRequiredClaim,
    UnsupportedGrantType,
)
from lti1p3platform.ltiplatform import LTI1P3PlatformConfAbstract
from lti1p3platform.membership import Context
from lti1p3platform.request import Request
from lti1p3platform.response import Response, generate_next_link
from lti1p3platform.score import UpdateScoreStatus
from lti1p3platform.service_connector import (
    AssignmentsGradesService,
    NamesRoleProvisioningService,
    TPage,
)

SCORE_MEDIA_TYPE = "application/vnd.ims.lis.v1.score+json"
LINEITEM_MEDIA_TYPE = "application/vnd.ims.lis.v2.lineitem+json"
SCOPE_SCORE = "https://purl.imsglobal.org/spec/lti-ags/scope/score"
SCOPE_LINEITEM = "https://purl.imsglobal.org/spec/lti-ags/scope/lineitem"
SCOPE_LINEITEM_READONLY = "https://purl.imsglobal.org/spec/lti-ags/scope/lineitem.readonly"
SCOPE_RESULT = "https://purl.imsglobal.org/spec/lti-ags/scope/result.readonly"
SCOPE_NRPS = "https://purl.imsglobal.org/spec/lti-nrps/scope/contextmembership.readonly"
JWT_BEARER = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"


@dataclass
class Call:
    """One HTTP request as http.server gave it."""

    method: str
    path: str
    query: str
    headers: t.Any  # http.server's headers: case-insensitive .get
    body: bytes


@dataclass
class Answer:
    status: int
    body: str = ""
    content_type: str = "application/json"
    headers: dict[str, str] = field(default_factory=dict)


@dataclass
class ReceivedScore:
    """A score POST that reached lti1p3platform's handler, and what it answered."""

    line_item: str
    score: dict
    status: int


class ServiceRequest(Request):
    """lti1p3platform's view of a service call; `page` and `limit` become numbers, as
    its paging adds 1 to `page`."""

    def build_metadata(self, call: Call) -> dict:
        query = dict(parse_qsl(call.query))
        for name in ("page", "limit"):
            if name in query and query[name].isdigit():
                query[name] = int(query[name])
        body = json.loads(call.body) if call.body.strip() else None
        return {"method": call.method, "get_data": query, "form_data": {},
                "headers": call.headers, "content_type": call.headers.get("Content-Type"),
                "path": call.path, "json": body}


class Gradebook:
    """The platform's line items and the scores posted to them."""

    def __init__(self, base: str):
        self.base = base
        self.container = f"{base}/api/lineitems"
        self.lock = threading.Lock()
        self.items: dict[str, dict] = {}
        self.created_by: dict[str, str] = {}  # line item number -> "platform" / "tool"
        self.scores: list[ReceivedScore] = []
        self.refused_media_types: list[str | None] = []

    def item_url(self, number: str) -> str:
        # Moodle-shaped: the line item URL carries a query (scores go before it).
        return f"{self.base}/api/lineitems/{number}/lineitem?type_id=1"

    def add(self, item: dict, by: str) -> dict:
        with self.lock:
            number = str(len(self.items) + 1)
            stored = {**item, "id": self.item_url(number)}
            self.items[number] = stored
            self.created_by[number] = by
            return dict(stored)

    def number_of(self, url: str) -> str:
        match = re.search(r"/api/lineitems/(\d+)/lineitem", url)
        if not match:
            raise ValueError(f"not one of this platform's line items: {url}")
        return match.group(1)

    def scores_on(self, url: str, user_id: str | None = None) -> list[ReceivedScore]:
        number = self.number_of(url)
        with self.lock:
            return [s for s in self.scores if s.line_item == number
                    and (user_id is None or s.score.get("userId") == user_id)]

    def items_on_link(self, resource_link_id: str) -> list[tuple[str, dict]]:
        with self.lock:
            return [(self.created_by[n], dict(i)) for n, i in self.items.items()
                    if i.get("resourceLinkId") == resource_link_id]


def _timestamp(score: dict) -> datetime:
    try:
        return datetime.fromisoformat(str(score["timestamp"]).replace("Z", "+00:00"))
    except (KeyError, ValueError) as error:
        raise LtiServiceException(f"score timestamp: {error}", 400) from error


class PlatformAgs(AssignmentsGradesService):
    """lti1p3platform's AGS service over the gradebook. `scopes`: the scopes that allow
    this operation (lti1p3platform checks the token holds one of them)."""

    def __init__(self, request: Request, conf: LTI1P3PlatformConfAbstract, book: Gradebook,
                 scopes: list[str]):
        super().__init__(request, conf, book.container, allow_creating_lineitems=True)
        self.book = book
        self._scopes = scopes

    @property
    def allowed_scopes(self) -> list[str]:
        return self._scopes

    def find_lineitems(self, page: int = 1, limit: int | None = None,
                       line_item_id: str | None = None, resource_link_id: str | None = None,
                       resource_id: str | None = None, tag: str | None = None,
                       **_other: t.Any) -> TPage:
        wanted = {"resourceLinkId": resource_link_id, "resourceId": resource_id, "tag": tag}
        with self.book.lock:
            items = [dict(i) for i in self.book.items.values()
                     if all(v is None or i.get(k) == v for k, v in wanted.items())]
        if not limit:
            return {"content": items, "has_next": False}
        start = (page - 1) * limit
        return {"content": items[start:start + limit], "has_next": start + limit < len(items)}

    def find_lineitem(self, line_item_id: str) -> dict:
        with self.book.lock:
            if line_item_id not in self.book.items:
                raise LineItemNotFoundException(line_item_id)
            return dict(self.book.items[line_item_id])

    def create_lineitem(self, creation_data: dict) -> dict:
        # AGS §3.2.7: label and a positive scoreMaximum are required.
        if not isinstance(creation_data, dict) or not creation_data.get("label"):
            raise LtiServiceException("a line item needs a label", 400)
        maximum = creation_data.get("scoreMaximum")
        if not isinstance(maximum, (int, float)) or maximum <= 0:
            raise LtiServiceException("a line item needs a positive scoreMaximum", 400)
        return self.book.add(creation_data, by="tool")

    def update_lineitem(self, update_data: dict) -> dict:
        number = str(update_data.get("id"))
        with self.book.lock:
            if number not in self.book.items:
                raise LineItemNotFoundException(number)
            self.book.items[number].update({k: v for k, v in update_data.items() if k != "id"})
            return dict(self.book.items[number])

    def delete_lineitem(self, line_item_id: str) -> None:
        with self.book.lock:
            if self.book.items.pop(line_item_id, None) is None:
                raise LineItemNotFoundException(line_item_id)

    def update_score(self, line_item_id: str, score: dict) -> UpdateScoreStatus:
        """Keeps every score; one not later than the last accepted for the user is
        refused as AGS §3.4.9 allows (409, `oldtimestamp`)."""
        self.find_lineitem(line_item_id)
        if not isinstance(score, dict) or not score.get("userId"):
            raise LtiServiceException("a score needs a userId", 400)
        at = _timestamp(score)
        with self.book.lock:
            earlier = [s for s in self.book.scores if s.line_item == line_item_id
                       and s.score.get("userId") == score["userId"] and s.status < 300]
            if earlier and at <= _timestamp(earlier[-1].score):
                status = UpdateScoreStatus.OLD_TIMESTAMP
            else:
                status = UpdateScoreStatus.SUCCESS if earlier else UpdateScoreStatus.CREATED
            code = {UpdateScoreStatus.OLD_TIMESTAMP: 409, UpdateScoreStatus.SUCCESS: 200,
                    UpdateScoreStatus.CREATED: 201}[status]
            self.book.scores.append(ReceivedScore(line_item_id, dict(score), code))
        return status

    def get_results(self, line_item_id: str, page: int = 1, limit: int | None = None,
                    user_id: str | None = None, **_other: t.Any) -> TPage:
        item = self.find_lineitem(line_item_id)
        latest: dict[str, dict] = {}
        for s in self.book.scores_on(item["id"], user_id):
            if s.status < 300:
                latest[s.score["userId"]] = s.score
        results = [{"userId": u, "resultScore": s.get("scoreGiven"),
                    "resultMaximum": s.get("scoreMaximum"), "comment": s.get("comment"),
                    "scoreOf": item["id"]} for u, s in latest.items()]
        return {"content": results, "has_next": False}


@dataclass
class Roster:
    """The course's members as NRPS serves them (`user_id`, `roles`, names, email,
    `status`)."""

    context: Context
    members: list[dict]


class PlatformNrps(NamesRoleProvisioningService):
    def __init__(self, request: Request, conf: LTI1P3PlatformConfAbstract, roster: Roster,
                 url: str):
        super().__init__(request, conf, url)
        self.roster = roster

    def get_member_data_page(self, page: int = 1, limit: int | None = None,
                             role: str | None = None, since: str | None = None,
                             **_other: t.Any) -> TPage:
        members = [dict(m) for m in self.roster.members if role is None or role in m["roles"]]
        if not limit:
            return {"content": members, "has_next": False}
        start = (page - 1) * limit
        return {"content": members[start:start + limit], "has_next": start + limit < len(members)}

    def get_context_by_id(self) -> Context:
        return self.roster.context


class TokenEndpoint:
    """Client credentials with a JWT client assertion (Security Framework §4.1):
    lti1p3platform's `get_access_token` checks the grant type, the required
    parameters and the assertion's signature against our JWKS; a careful platform also
    checks whom it is from and for (iss = sub = client id, aud = this URL), that it
    expires, and that its `jti` is not replayed."""

    def __init__(self, conf: LTI1P3PlatformConfAbstract, client_id: str, url: str):
        self.conf, self.client_id, self.url = conf, client_id, url
        self.lock = threading.Lock()
        self.jtis: set[str] = set()
        self.granted: list[str] = []  # the scope of each token given, in order
        self.refused: list[str] = []

    def __call__(self, form: dict[str, str]) -> Answer:
        try:
            token = self.conf.get_access_token(form)
        except MissingRequiredClaim as error:
            return self._refuse(400, "invalid_request", str(error))
        except UnsupportedGrantType:
            return self._refuse(400, "unsupported_grant_type", form.get("grant_type", ""))
        except (LtiException, jwt.PyJWTError, AssertionError) as error:
            return self._refuse(401, "invalid_client", f"{type(error).__name__}: {error}")
        claims = jwt.decode(form["client_assertion"], options={"verify_signature": False})
        audience = claims.get("aud")
        audiences = audience if isinstance(audience, list) else [audience]
        problems = [f"client_assertion_type is {form.get('client_assertion_type')!r}"
                    for _ in [0] if form.get("client_assertion_type") != JWT_BEARER]
        problems += [f"{name} is {claims.get(name)!r}, expected {self.client_id!r}"
                     for name in ("iss", "sub") if claims.get(name) != self.client_id]
        problems += [f"aud {audience!r} does not name {self.url}" for _ in [0]
                     if self.url not in audiences]
        problems += [f"no {name}" for name in ("exp", "iat", "jti") if name not in claims]
        with self.lock:
            if claims.get("jti") in self.jtis:
                problems.append(f"jti {claims.get('jti')!r} replayed")
            self.jtis.add(claims.get("jti"))
        if problems:
            return self._refuse(401, "invalid_client", "; ".join(problems))
        with self.lock:
            self.granted.append(token["scope"])
        return Answer(200, json.dumps(token))

    def _refuse(self, status: int, error: str, description: str) -> Answer:
        with self.lock:
            self.refused.append(f"{error}: {description}")
        return Answer(status, json.dumps({"error": error, "error_description": description}))


def _answer(response: Response, link_next: bool = False) -> Answer:
    """lti1p3platform's Response as HTTP; a page's `next` goes in a Link header, where
    AGS §3.2.4 and NRPS §2.4.2 put it."""
    result = response.result
    headers = {}
    if link_next and isinstance(result, dict) and result.get("next"):
        headers["Link"] = generate_next_link(result["next"])
    if response.code >= 400:
        return Answer(response.code, json.dumps({"error": response.message}), "application/json")
    if isinstance(result, dict) and "content" in result:
        result = result["content"]  # a line item or result page: the array itself
    elif isinstance(result, dict):
        result = {k: v for k, v in result.items() if k != "next"}
    body = "" if result is None else json.dumps(result)
    return Answer(response.code, body, response.media_type, headers)


LINE_ITEM = re.compile(r"^/api/lineitems/(\d+)/lineitem(/scores|/results)?$")


def ags_call(conf: LTI1P3PlatformConfAbstract, book: Gradebook, call: Call) -> Answer | None:
    """Routes a call to lti1p3platform's AGS handlers; None when the path is not AGS."""
    request = ServiceRequest(call)
    if call.path == "/api/lineitems":
        if call.method == "POST":
            service = PlatformAgs(request, conf, book, [SCOPE_LINEITEM])
            return _answer(service.handle_resp(service.handle_create_lineitem))
        service = PlatformAgs(request, conf, book, [SCOPE_LINEITEM, SCOPE_LINEITEM_READONLY])
        return _answer(service.handle_resp(service.handle_get_lineitems), link_next=True)
    match = LINE_ITEM.match(call.path)
    if not match:
        return None
    number, sub = match.groups()
    if sub == "/scores":
        content_type = call.headers.get("Content-Type")
        if content_type != SCORE_MEDIA_TYPE:
            # AGS §3.4.3: a score is sent as application/vnd.ims.lis.v1.score+json.
            with book.lock:
                book.refused_media_types.append(content_type)
            return Answer(415, json.dumps({"error": f"expected {SCORE_MEDIA_TYPE}"}))
        service = PlatformAgs(request, conf, book, [SCOPE_SCORE])
        return _answer(service.handle_resp(service.handle_update_score, line_item_id=number))
    if sub == "/results":
        service = PlatformAgs(request, conf, book, [SCOPE_RESULT])
        return _answer(service.handle_resp(service.handle_get_results, line_item_id=number))
    handlers = {"GET": "handle_get_lineitem", "PUT": "handle_update_lineitem",
                "DELETE": "handle_delete_lineitem"}
    if call.method not in handlers:
        return Answer(405, json.dumps({"error": "method not allowed"}))
    scopes = [SCOPE_LINEITEM] if call.method != "GET" else [SCOPE_LINEITEM, SCOPE_LINEITEM_READONLY]
    service = PlatformAgs(request, conf, book, scopes)
    return _answer(service.handle_resp(getattr(service, handlers[call.method]), line_item_id=number))


def nrps_call(conf: LTI1P3PlatformConfAbstract, roster: Roster, url: str, call: Call) -> Answer:
    service = PlatformNrps(ServiceRequest(call), conf, roster, url)
    return _answer(service.handle_resp(service.handle_get_members), link_next=True)


def guarded(handler: t.Callable[[], Answer]) -> Answer:
    """lti1p3platform lets a bad bearer token escape as an exception (PyJWT's, or its
    own LtiException): that is a 401."""
    try:
        return handler()
    except (jwt.PyJWTError, LtiException) as error:
        return Answer(401, json.dumps({"error": f"invalid token: {type(error).__name__}"}))
