"""Domain errors and their mapping to HTTP.

Services raise `ApplicationError` subclasses; they never build HTTP responses. One DRF
exception handler turns them into 4xx answers with field-level details. A part that is down for a
while (the database restarting, Redis away, a full disk) is a 503 / 507 with Retry-After, never a
500: phones retry such answers after the time given (docs/reliability.md).
"""

from __future__ import annotations

import logging
from typing import Any

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import RequestDataTooBig
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import InterfaceError, OperationalError
from django.utils.translation import gettext as _
from rest_framework import exceptions, status
from rest_framework.response import Response

logger = logging.getLogger(__name__)
# Seconds a client should wait before retrying when a part of the system is down for a while.
RETRY_AFTER_S = 5


class ApplicationError(Exception):
    """A refusal the caller can understand and act on. `message` is user-facing (Indonesian)."""

    status_code: int = status.HTTP_400_BAD_REQUEST
    code = "invalid"

    def __init__(self, message: str, *, extra: dict[str, Any] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.extra = extra or {}


class NotAllowedError(ApplicationError):
    status_code = status.HTTP_403_FORBIDDEN
    code = "not_allowed"


class NotFoundError(ApplicationError):
    status_code = status.HTTP_404_NOT_FOUND
    code = "not_found"


class ConflictError(ApplicationError):
    status_code = status.HTTP_409_CONFLICT
    code = "conflict"


class RetryLaterError(ApplicationError):
    """The request may succeed later as it is; `retry_after` (seconds) becomes the Retry-After header."""

    def __init__(self, message: str, *, retry_after: int | None = None, extra: dict[str, Any] | None = None) -> None:
        super().__init__(message, extra=extra)
        self.retry_after = retry_after


class TooManyRequestsError(RetryLaterError):
    """A limit per user was reached."""

    status_code = status.HTTP_429_TOO_MANY_REQUESTS
    code = "too_many_requests"


class StorageFullError(RetryLaterError):
    """The disk for uploads is full: nothing was kept; the client sends again later."""

    status_code = status.HTTP_507_INSUFFICIENT_STORAGE
    code = "storage_full"


def unavailable_part(exc: BaseException | None) -> str | None:
    """'database' or 'redis' when `exc` says that part is unreachable for now, else None."""
    if isinstance(exc, OperationalError | InterfaceError):
        return "database"
    from kombu.exceptions import OperationalError as BrokerError
    from redis.exceptions import ConnectionError as RedisConnectionError
    from redis.exceptions import TimeoutError as RedisTimeoutError

    if isinstance(exc, RedisConnectionError | RedisTimeoutError | BrokerError):
        return "redis"
    return None


def retry_later_body() -> dict[str, Any]:
    return {"code": "retry", "message": _("Server sedang sibuk atau dipulihkan; kirim ulang sebentar lagi.")}


def api_exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    # Imported here: rest_framework.views loads the authentication classes, which import this module.
    from rest_framework.views import exception_handler

    from regsosek.parsers import RequestTooLargeError

    if isinstance(exc, RequestDataTooBig):
        # DRF 3.18 reads a JSON body through `request.body`, whose size check (Django's, before any byte
        # is read) fires ahead of LimitedJSONParser's: the same refusal, the same 413 answer.
        exc = RequestTooLargeError()
    if isinstance(exc, ApplicationError):
        body: dict[str, Any] = {"code": exc.code, "message": exc.message}
        body.update(exc.extra)
        answer = Response(body, status=exc.status_code)
        if isinstance(exc, RetryLaterError) and exc.retry_after:
            answer["Retry-After"] = str(exc.retry_after)
        return answer
    part = unavailable_part(exc)
    if part is not None:
        logger.warning("request.unavailable", extra={"part": part, "error": type(exc).__name__})
        answer = Response(retry_later_body(), status=status.HTTP_503_SERVICE_UNAVAILABLE)
        answer["Retry-After"] = str(RETRY_AFTER_S)
        return answer
    if isinstance(exc, DjangoValidationError):
        if hasattr(exc, "error_dict"):
            errors: Any = {field: [str(m) for m in msgs] for field, msgs in exc.message_dict.items()}
        else:
            errors = {"non_field_errors": exc.messages}
        return Response({"code": "invalid", "errors": errors}, status=status.HTTP_400_BAD_REQUEST)
    if isinstance(exc, DjangoPermissionDenied):
        return Response({"code": "not_allowed", "message": str(exc)}, status=status.HTTP_403_FORBIDDEN)
    response = exception_handler(exc, context)
    if response is not None and isinstance(exc, exceptions.ValidationError):
        errors = response.data if isinstance(response.data, dict) else {"non_field_errors": response.data}
        response.data = {"code": "invalid", "errors": errors}
    elif response is not None and isinstance(response.data, dict) and "code" not in response.data:
        # DRF's own refusals (not signed in, not found, a body that is not JSON) say only `detail`;
        # every refusal carries the documented `code` and `message` too (docs/api.md).
        detail = response.data.get("detail", "")
        code = getattr(detail, "code", None) or getattr(exc, "default_code", "error")
        response.data = {"code": str(code), "message": str(detail), **response.data}
    return response
