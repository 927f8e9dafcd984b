"""An LTI 1.1 tool consumer's Basic Outcomes service for the interop run: a local HTTP
server whose `lis_outcome_service_url` our tool posts `replaceResult` to. The OAuth
1.0a signature is checked by oauthlib's server side (`SignatureOnlyEndpoint` with a
`RequestValidator`: consumer key, secret, timestamp window, nonce once), the
`oauth_body_hash` against the SHA-1 of the body (OAuth Request Body Hash 1.0, which
LTI 1.1 §6 requires for POX), then the POX is parsed as LTI Basic Outcomes 1.1 reads it."""

from __future__ import annotations

import base64
import hashlib
import threading
import uuid
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from oauthlib.oauth1 import RequestValidator, SignatureOnlyEndpoint

NS = {"x": "http://www.imsglobal.org/services/ltiv1p1/xsd/imsoms_v1p0"}


class OutcomeValidator(RequestValidator):
    """oauthlib's questions about the one consumer key this LMS gave the tool."""

    def __init__(self, key: str, secret: str):
        super().__init__()
        self.key, self.secret = key, secret
        self.nonces: set[tuple[str, str, str]] = set()
        self.lock = threading.Lock()

    @property
    def enforce_ssl(self) -> bool:
        return False  # the run is on http://127.0.0.1

    @property
    def dummy_client(self) -> str:
        return "dummy-client"

    def check_client_key(self, client_key: str) -> bool:
        # Our consumer keys are not oauthlib's default 20–30 alphanumerics.
        return 0 < len(client_key) <= 200 and client_key.isprintable()

    def check_nonce(self, nonce: str) -> bool:
        return 0 < len(nonce) <= 200 and nonce.isprintable()

    def validate_client_key(self, client_key: str, request: Any) -> bool:
        return client_key == self.key

    def get_client_secret(self, client_key: str, request: Any) -> str:
        return self.secret if client_key == self.key else "dummy-secret"

    def validate_timestamp_and_nonce(self, client_key: str, timestamp: str, nonce: str,
                                     request: Any, request_token: Any = None,
                                     access_token: Any = None) -> bool:
        with self.lock:
            seen = (client_key, timestamp, nonce)
            if seen in self.nonces:
                return False
            self.nonces.add(seen)
            return True


@dataclass
class ReplaceResult:
    """A request the outcome service took: what oauthlib and the body hash said, and
    what the POX held."""

    path: str
    content_type: str | None
    signature_ok: bool
    body_hash_ok: bool
    operation: str | None = None
    message_id: str | None = None
    sourcedid: str | None = None
    score: str | None = None
    language: str | None = None


@dataclass
class OutcomeService:
    key: str
    secret: str
    received: list[ReplaceResult] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.endpoint = SignatureOnlyEndpoint(OutcomeValidator(self.key, self.secret))
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), _handler_for(self))
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.lock = threading.Lock()
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def take(self, path: str, headers: Any, body: bytes) -> tuple[int, str]:
        """`headers`: http.server's (case-insensitive)."""
        valid, request = self.endpoint.validate_request(f"{self.url}{path}", "POST",
                                                        body.decode("utf-8", "replace"),
                                                        dict(headers.items()))
        claimed = dict(request.oauth_params) if request is not None else {}
        digest = base64.b64encode(hashlib.sha1(body).digest()).decode()
        seen = ReplaceResult(path, headers.get("Content-Type"), bool(valid),
                             claimed.get("oauth_body_hash") == digest)
        if seen.signature_ok and seen.body_hash_ok:
            _read_pox(body, seen)
        with self.lock:
            self.received.append(seen)
        if not (seen.signature_ok and seen.body_hash_ok):
            return 401, _pox_answer("failure", "signature or body hash did not verify", seen)
        if seen.operation != "replaceResultRequest" or seen.score is None:
            return 200, _pox_answer("unsupported", f"{seen.operation} is not supported", seen)
        try:
            score = float(seen.score)
        except ValueError:
            score = -1.0
        if not 0.0 <= score <= 1.0:
            return 200, _pox_answer("failure", f"score {seen.score!r} is not in 0.0–1.0", seen)
        return 200, _pox_answer("success", f"score of {seen.sourcedid} is now {seen.score}", seen)


def _read_pox(body: bytes, seen: ReplaceResult) -> None:
    try:
        root = ET.fromstring(body)
    except ET.ParseError:
        return
    if root.tag != f"{{{NS['x']}}}imsx_POXEnvelopeRequest":
        return
    seen.message_id = root.findtext("x:imsx_POXHeader/x:imsx_POXRequestHeaderInfo/"
                                    "x:imsx_messageIdentifier", namespaces=NS)
    operation = root.find("x:imsx_POXBody/*", NS)
    if operation is None:
        return
    seen.operation = operation.tag.split("}", 1)[-1]
    record = "x:resultRecord/"
    seen.sourcedid = operation.findtext(f"{record}x:sourcedGUID/x:sourcedId", namespaces=NS)
    seen.score = operation.findtext(f"{record}x:result/x:resultScore/x:textString", namespaces=NS)
    seen.language = operation.findtext(f"{record}x:result/x:resultScore/x:language", namespaces=NS)


def _pox_answer(code: str, description: str, seen: ReplaceResult) -> str:
    operation = (seen.operation or "replaceResultRequest").removesuffix("Request")
    body = f"<{operation}Response/>" if code == "success" else ""
    return (f'<?xml version="1.0" encoding="UTF-8"?>'
            f'<imsx_POXEnvelopeResponse xmlns="{NS["x"]}"><imsx_POXHeader><imsx_POXResponseHeaderInfo>'
            f"<imsx_version>V1.0</imsx_version><imsx_messageIdentifier>{uuid.uuid4()}</imsx_messageIdentifier>"
            f"<imsx_statusInfo><imsx_codeMajor>{code}</imsx_codeMajor><imsx_severity>status</imsx_severity>"
            f"<imsx_description>{description}</imsx_description>"
            f"<imsx_messageRefIdentifier>{seen.message_id or ''}</imsx_messageRefIdentifier>"
            f"<imsx_operationRefIdentifier>{operation}</imsx_operationRefIdentifier></imsx_statusInfo>"
            f"</imsx_POXResponseHeaderInfo></imsx_POXHeader><imsx_POXBody>{body}</imsx_POXBody>"
            f"</imsx_POXEnvelopeResponse>")


def _handler_for(service: OutcomeService) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802 - http.server's name
            body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            status, answer = service.take(self.path, self.headers, body)
            data = answer.encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/xml")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *args: Any) -> None:
            pass

    return Handler
