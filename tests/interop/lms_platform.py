"""A real LTI 1.3 platform for the interop run, built on the PyPI package lti1p3platform
(code we did not write): it makes the login initiation URL, answers the OIDC
authentication request with a signed id_token in an auto-posting form, publishes its
JWKS, receives Deep Linking responses (creating the line item each placed link asks
for), and serves its token endpoint, AGS line items and scores and NRPS memberships
(lms_services.py), all on a local HTTP server that our tool reaches like an LMS."""

from __future__ import annotations

import html
import json
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from lti1p3platform.ltiplatform import LTI1P3PlatformConfAbstract
from lti1p3platform.membership import Context
from lti1p3platform.message_launch import LTIAdvantageMessageLaunchAbstract
from lti1p3platform.oidc_login import OIDCLoginAbstract
from lti1p3platform.registration import Registration
from lti1p3platform.request import Request

import lms_services
from lms_services import Answer, Call, Gradebook, Roster, TokenEndpoint

CLIENT_ID = "interop-client-1"
DEPLOYMENT_ID = "interop-deployment-1"
LEARNER = "http://purl.imsglobal.org/vocab/lis/v2/membership#Learner"
INSTRUCTOR = "http://purl.imsglobal.org/vocab/lis/v2/membership#Instructor"


@dataclass
class Message:
    """What the platform will launch when our tool's auth request names this hint."""

    kind: str  # "resource_link" or "deep_linking"
    user_id: str
    roles: list[str]
    name: str = "Ada Lovelace"
    email: str = "ada@example.com"
    custom: dict[str, str] = field(default_factory=dict)
    deep_linking_data: Any = None
    target_link_uri: str | None = None
    resource_link_id: str = "link-1"
    # AGS: the line item this link has in the gradebook (None: only the container).
    lineitem: str | None = None
    context_id: str = "course-1"
    # NRPS: the launch names the course's memberships URL.
    nrps: bool = False


class PlatformConf(LTI1P3PlatformConfAbstract):
    def init_platform_config(self, **kwargs: Any) -> None:
        self._registration = kwargs["registration"]

    def get_registration_by_params(self, **kwargs: Any) -> Registration:
        return self._registration


class AuthRequest(Request):
    """lti1p3platform's view of the tool's authentication request (a GET)."""

    def build_metadata(self, request: Any) -> dict:
        return {"method": "GET", "get_data": request, "form_data": {}, "headers": {},
                "content_type": None, "path": "/auth", "json": None}


class PlatformLogin(OIDCLoginAbstract):
    def set_lti_message_hint(self, **kwargs: Any) -> None:
        self._lti_message_hint = kwargs["hint"]

    def get_redirect(self, url: str) -> str:
        return url


class PlatformLaunch(LTIAdvantageMessageLaunchAbstract):
    def __init__(self, request: Request, conf: PlatformConf, message: Message, base_url: str):
        super().__init__(request, conf)
        self.message = message
        self.base_url = base_url

    def prepare_launch(self, preflight_response: dict) -> None:
        m = self.message
        self.set_user_data(m.user_id, m.roles, full_name=m.name, email_address=m.email)
        self.set_launch_context_claim(
            m.context_id,
            ["http://purl.imsglobal.org/vocab/lis/v2/course#CourseOffering"],
            "Social media policy",
            "SMP-1",
        )
        self.set_launch_presentation_claim("iframe", f"{self.base_url}/course/1")
        self.set_ags(f"{self.base_url}/api/lineitems", m.lineitem)
        if m.nrps:
            # Two members a page, so the tool must follow the Link header.
            self.set_nrps(f"{self.base_url}/api/memberships?limit=2")
        if m.target_link_uri:
            self.set_launch_url(m.target_link_uri)
        if m.kind == "deep_linking":
            self.set_dl(f"{self.base_url}/deep-links?course=1", title="Add a module",
                        accept_types={"ltiResourceLink"}, extra_data=m.deep_linking_data)
        else:
            self.set_resource_link_claim(m.resource_link_id, title="Policy essentials")
            self.set_custom_parameters_claim(m.custom)

    def render_launch_form(self, launch_data: dict, **kwargs: Any) -> str:
        fields = "".join(
            f'<input type="hidden" name="{name}" value="{html.escape(launch_data[name])}">'
            for name in ("id_token", "state")
        )
        return (f'<!DOCTYPE html><form method="post" action="{html.escape(launch_data["launch_url"])}">'
                f"{fields}</form><script>document.forms[0].submit()</script>")


# The course's members as the platform's NRPS serves them (one page holds two).
ROSTER = [
    {"user_id": "learner-nrps", "roles": [LEARNER], "name": "Ada Lovelace", "given_name": "Ada",
     "family_name": "Lovelace", "email": "ada@example.com", "status": "Active"},
    {"user_id": "teacher-1", "roles": [INSTRUCTOR], "name": "Grace Hopper", "given_name": "Grace",
     "family_name": "Hopper", "email": "grace@example.com", "status": "Active"},
    {"user_id": "learner-gone", "roles": [LEARNER], "name": "Charles Babbage",
     "given_name": "Charles", "family_name": "Babbage", "email": "charles@example.com",
     "status": "Inactive"},
]


def rsa_pem_pair() -> tuple[str, str]:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    private = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                serialization.NoEncryption())
    public = key.public_key().public_bytes(serialization.Encoding.PEM,
                                           serialization.PublicFormat.SubjectPublicKeyInfo)
    return private.decode(), public.decode()


class TestPlatform:
    """The platform and its HTTP server on 127.0.0.1 (a free port); its base URL is
    its issuer."""

    def __init__(self, bb_url: str):
        self.bb_url = bb_url
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), _handler_for(self))
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        private, public = rsa_pem_pair()
        self.registration = (
            Registration()
            .set_iss(self.url)
            .set_client_id(CLIENT_ID)
            .set_deployment_id(DEPLOYMENT_ID)
            .set_launch_url(f"{bb_url}/lti/launch")
            .set_deeplink_launch_url(f"{bb_url}/lti/launch")
            .set_oidc_login_url(f"{bb_url}/lti/login")
            .set_tool_key_set_url(f"{bb_url}/lti/jwks")
            .set_platform_public_key(public)
            .set_platform_private_key(private)
        )
        self.conf = PlatformConf(registration=self.registration)
        self.messages: dict[str, Message] = {}
        self.jwks_requests = 0
        self.gradebook = Gradebook(self.url)
        self.token_endpoint = TokenEndpoint(self.conf, CLIENT_ID, f"{self.url}/token")
        self.roster = Roster(Context("course-1", "SMP-1", "Social media policy"), ROSTER)
        # Deep Linking placements: (resource link id, content item, line item made).
        self.placements: list[tuple[str, dict, dict | None]] = []
        self._thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def start(self) -> TestPlatform:
        self._thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def tool_registration(self) -> dict:
        """The body of our admin API's POST /api/lti/platforms for this platform."""
        return {"name": "lti1p3platform interop", "issuer": self.url, "clientId": CLIENT_ID,
                "deploymentIds": [DEPLOYMENT_ID], "authLoginUrl": f"{self.url}/auth",
                "tokenUrl": f"{self.url}/token", "jwksUrl": f"{self.url}/jwks"}

    def initiate_login(self, message: Message) -> str:
        """Platform-initiated login: the URL of our tool's login endpoint to open."""
        hint = f"message-{len(self.messages) + 1}"
        self.messages[hint] = message
        login = PlatformLogin(None, self.conf)
        login.set_lti_message_hint(hint=hint)
        if message.target_link_uri:
            login.set_launch_url(message.target_link_uri)
        elif message.kind == "deep_linking":
            login.set_deeplinking_launch_url()
        return login.initiate_login(message.user_id)

    def authorize(self, query: dict[str, str]) -> tuple[int, str]:
        """The OIDC authentication endpoint (Security Framework §5.1.1.2–3)."""
        message = self.messages.get(query.get("lti_message_hint", ""))
        problems = _auth_request_problems(query, message, self.registration)
        if problems:
            return 400, "refused: " + "; ".join(problems)
        launch = PlatformLaunch(AuthRequest(query), self.conf, message, self.url)
        return 200, launch.lti_launch()

    def receive_deep_link(self, form: dict[str, str]) -> tuple[int, str]:
        """The deep_link_return_url: lti1p3platform checks the tool's JWT; then, as
        Moodle does, each placed link gets a resource link id and, when the item asks
        for one (`lineItem`), a gradebook column made from it."""
        try:
            items = self.conf.validate_deeplinking_resp(form)
        except Exception as error:  # noqa: BLE001 - any refusal goes back as text
            return 400, f"refused: {type(error).__name__}: {error}"
        for item in items:
            if item.get("type") != "ltiResourceLink":
                continue
            link_id = f"placed-link-{len(self.placements) + 1}"
            asked = item.get("lineItem")
            made = None
            if isinstance(asked, dict):
                made = self.gradebook.add({**asked, "resourceLinkId": link_id}, by="platform")
            self.placements.append((link_id, item, made))
        return 200, json.dumps({"contentItems": items})

    def service(self, call: Call) -> Answer:
        """The token endpoint and the AGS and NRPS services (lms_services.py)."""
        if call.path == "/token" and call.method == "POST":
            return self.token_endpoint(dict(parse_qsl(call.body.decode())))
        if call.path == "/api/memberships" and call.method == "GET":
            url = f"{self.url}/api/memberships"
            return lms_services.guarded(lambda: lms_services.nrps_call(self.conf, self.roster, url, call))
        answer = lms_services.guarded(lambda: lms_services.ags_call(self.conf, self.gradebook, call)
                                      or Answer(404, "not found", "text/plain"))
        return answer


def _auth_request_problems(query: dict[str, str], message: Message | None,
                           registration: Registration) -> list[str]:
    """What a careful platform checks before it signs anything."""
    if message is None:
        return [f"unknown lti_message_hint {query.get('lti_message_hint')!r}"]
    expected = {"scope": "openid", "response_type": "id_token", "response_mode": "form_post",
                "prompt": "none", "client_id": registration.get_client_id(),
                "login_hint": message.user_id,
                "redirect_uri": registration.get_launch_url()}
    problems = [f"{name} is {query.get(name)!r}, expected {value!r}"
                for name, value in expected.items() if query.get(name) != value]
    problems += [f"no {name}" for name in ("state", "nonce") if not query.get(name)]
    return problems


def _handler_for(platform: TestPlatform) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 - http.server's name
            path = urlsplit(self.path)
            if path.path == "/jwks":
                platform.jwks_requests += 1
                self._send(200, json.dumps(platform.conf.get_jwks()), "application/json")
            elif path.path == "/auth":
                self._send(*platform.authorize(dict(parse_qsl(path.query))), "text/html")
            else:
                self._service("GET", b"")

        def do_POST(self) -> None:  # noqa: N802
            length = int(self.headers.get("Content-Length", "0"))
            body = self.rfile.read(length)
            if urlsplit(self.path).path == "/deep-links":
                form = dict(parse_qsl(body.decode()))
                self._send(*platform.receive_deep_link(form), "application/json")
            else:
                self._service("POST", body)

        def do_PUT(self) -> None:  # noqa: N802
            self._service("PUT", self.rfile.read(int(self.headers.get("Content-Length", "0"))))

        def do_DELETE(self) -> None:  # noqa: N802
            self._service("DELETE", b"")

        def _service(self, method: str, body: bytes) -> None:
            path = urlsplit(self.path)
            answer = platform.service(Call(method, path.path, path.query, self.headers, body))
            self._send(answer.status, answer.body, answer.content_type, answer.headers)

        def _send(self, status: int, body: str, content_type: str,
                  headers: dict[str, str] | None = None) -> None:
            data = body.encode()
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            for name, value in (headers or {}).items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *args: Any) -> None:
            pass  # quiet: the test output says what happened

    return Handler
