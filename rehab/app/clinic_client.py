"""HTTP between a home and its clinic server: pairing, pushing rows and pulling plans and messages.

Only this module speaks HTTP for the home. Every failure becomes one of two errors: the server
could not be reached or answered with a server fault (``ClinicUnreachable``: try again later), or
it refused what was sent (``ClinicRefused``: trying again will not help).
"""

from __future__ import annotations

from typing import Any

import httpx

from rehab.core.errors import RehabError

#: seconds to connect and to wait for each answer; a home on a slow line still gets through
CONNECT_TIMEOUT_S = 5.0
READ_TIMEOUT_S = 30.0


class ClinicUnreachable(RehabError):
    """No answer, a dropped connection or a server fault: everything waits for the next try."""


class ClinicRefused(RehabError):
    """The server answered no (a 4xx); ``status`` is its HTTP status."""

    def __init__(self, message: str, status: int) -> None:
        super().__init__(message)
        self.status = status


class ClinicClient:
    """One server, one device token (None before pairing). ``transport`` lets a test or a
    benchmark put the server in the same process; real homes use the network."""

    def __init__(
        self, url: str, token: str | None = None, transport: httpx.BaseTransport | None = None, verify: Any = True
    ) -> None:
        self.url = url.rstrip("/")
        self._has_token = token is not None
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        timeout = httpx.Timeout(READ_TIMEOUT_S, connect=CONNECT_TIMEOUT_S)
        self._http = httpx.Client(
            base_url=self.url, headers=headers, timeout=timeout, transport=transport, verify=verify
        )

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> ClinicClient:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    def pair(self, code: str, device_name: str) -> dict[str, Any]:
        """Exchanges a one-time pairing code for a device token: {device_token, device_id, patient_id}."""
        return self._call("POST", "/api/v1/pair", json={"code": code, "device_name": device_name})

    def push(self, batch: dict[str, Any]) -> dict[str, Any]:
        return self._call("POST", "/api/v1/sync/push", json=batch)

    def pull(self, plans_after: int, messages_after: int) -> dict[str, Any]:
        params = {"plans_after": plans_after, "messages_after": messages_after}
        return self._call("GET", "/api/v1/sync/pull", params=params)

    def _call(self, method: str, path: str, **kwargs: Any) -> dict[str, Any]:
        try:
            answer = self._http.request(method, path, **kwargs)
        except httpx.HTTPError as error:
            raise ClinicUnreachable(
                f"the clinic server at {self.url} could not be reached ({_reason(error)})"
            ) from error
        if answer.status_code >= 500:
            raise ClinicUnreachable(f"the clinic server at {self.url} had a fault (HTTP {answer.status_code})")
        if answer.status_code >= 400:
            raise ClinicRefused(_refusal(answer, self._has_token), answer.status_code)
        try:
            body = answer.json()
        except ValueError as error:
            raise ClinicUnreachable(f"the server at {self.url} did not answer like a clinic server") from error
        if not isinstance(body, dict):
            raise ClinicUnreachable(f"the server at {self.url} did not answer like a clinic server")
        return body


def _reason(error: httpx.HTTPError) -> str:
    """The cause in a few words: 'connection refused', 'timed out', the TLS complaint."""
    text = str(error).strip() or type(error).__name__
    if "Connection refused" in text or "Errno 111" in text:
        return "connection refused: is the server running?"
    if isinstance(error, httpx.TimeoutException):
        return "no answer in time"
    return text.splitlines()[0][:160]


def _refusal(answer: httpx.Response, has_token: bool) -> str:
    try:
        said = answer.json().get("error")
    except (ValueError, AttributeError):
        said = None
    if answer.status_code == 401 and has_token:
        return "the clinic does not accept this home's token any more; ask your clinic for a new code and link again"
    return str(said) if said else f"the clinic server refused the request (HTTP {answer.status_code})"
