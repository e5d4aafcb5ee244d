"""What stands between the network and the monitor's routes: the Host check, the security
headers, bearer tokens, and JSON for the 400s the HTTP parser sends before any route runs."""

from __future__ import annotations

import hmac
import json
from collections.abc import Iterable

import h11
from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send
from uvicorn.protocols.http.h11_impl import H11Protocol


def bearer_matches(header: str | None, tokens: Iterable[str]) -> bool:
    """Whether `Authorization: Bearer …` carries one of `tokens` (compared in constant time)."""
    given = (header or "").removeprefix("Bearer ").strip().encode()
    return any(hmac.compare_digest(given, token.encode()) for token in tokens)


# The page builds every element with DOM calls: no inline script or style is needed.
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"
)
SECURITY_HEADERS = {
    "cache-control": "no-store",
    "x-content-type-options": "nosniff",
    "content-security-policy": CSP,
    "x-frame-options": "DENY",
    "referrer-policy": "no-referrer",
}
LOOPBACK_NAMES = ("localhost", "127.0.0.1", "::1")


def json_error_body(message: str) -> bytes:
    return json.dumps({"error": message}).encode()


async def send_json_error(send: Send, status: int, message: str) -> None:
    body = json_error_body(message)
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


def host_name(value: str) -> str | None:
    """The name in a Host header (`name`, `name:port`, `[v6]`, `[v6]:port`), lower-case;
    None when it is malformed."""
    if value.startswith("["):
        end = value.find("]")
        if end < 0:
            return None
        name, rest = value[1:end], value[end + 1 :]
    else:
        name, colon, port = value.partition(":")
        rest = colon + port
    if rest and not (rest.startswith(":") and rest[1:].isdigit()):
        return None
    return name.lower() or None


def _entry_name(entry: str) -> str | None:
    if entry.count(":") > 1 and not entry.startswith("["):
        return entry.lower()  # a bare IPv6 address, as DROPWIRE_MONITOR_HOST may give it
    return host_name(entry)


def allowed_hosts(bound: str, extra: Iterable[str]) -> frozenset[str]:
    """The bound address, the loopback names, and the configured ones (ports ignored)."""
    entries = (e.strip() for e in (bound, *LOOPBACK_NAMES, *extra))
    return frozenset(n for e in entries if e and (n := _entry_name(e)))


class HostCheck:
    """Refuse requests whose Host is not this monitor's: a page on another site whose name
    was re-pointed at 127.0.0.1 (DNS rebinding) must not read file names and failures."""

    def __init__(self, app: ASGIApp, allowed: frozenset[str]) -> None:
        self.app = app
        self.allowed = allowed

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            hosts = [v for k, v in scope["headers"] if k == b"host"]
            name = host_name(hosts[0].decode("latin-1")) if len(hosts) == 1 else None
            if name not in self.allowed:
                await send_json_error(send, 400, "unknown Host; see DROPWIRE_MONITOR_ALLOWED_HOSTS")
                return
        await self.app(scope, receive, send)


class SecurityHeaders:
    """Every response, errors included, carries the CSP and friends."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in SECURITY_HEADERS.items():
                    headers[name] = value
            await send(message)

        await self.app(scope, receive, send_with_headers)


class JsonErrorH11Protocol(H11Protocol):
    """uvicorn's h11 protocol, whose own 400 (a request h11 cannot parse: a bad
    Content-Length, a malformed header) is short JSON like every other error here."""

    def send_400_response(self, msg: str) -> None:
        body = json_error_body("invalid HTTP request")
        headers = [
            (b"content-type", b"application/json"),
            (b"content-length", str(len(body)).encode()),
            (b"connection", b"close"),
            *((k.encode(), v.encode()) for k, v in SECURITY_HEADERS.items()),
        ]
        for event in (
            h11.Response(status_code=400, headers=headers, reason=b"Bad Request"),
            h11.Data(data=body),
            h11.EndOfMessage(),
        ):
            self.transport.write(self.conn.send(event) or b"")
        self.transport.close()
