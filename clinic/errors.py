"""Errors of the clinic server, each with the HTTP status the API answers it with.

They are ``RehabError``s, so the same error raised under ``rehab clinic ...`` on the command line is
one line and exit status 2, and under the API one JSON ``{"error": ...}`` with ``status``.
"""

from __future__ import annotations

from rehab.core.errors import RehabError


class ClinicError(RehabError):
    """Bad input: a malformed email, a short password, an unknown role."""

    status: int = 400


class Unauthorized(ClinicError):
    """No token, an unknown, expired or revoked one, or a wrong password."""

    status = 401


class Forbidden(ClinicError):
    """A known caller asking for what their role or their patients do not allow."""

    status = 403


class NotFound(ClinicError):
    status = 404


class Conflict(ClinicError):
    """Something that exists already (an email, a patient id)."""

    status = 409


class Gone(ClinicError):
    """A pairing code that was used already or has expired."""

    status = 410


class TooManyRequests(ClinicError):
    status = 429
