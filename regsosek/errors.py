"""Domain errors and their mapping to HTTP.

Services raise `ApplicationError` subclasses; they never build HTTP responses. One DRF
exception handler turns them into 4xx answers with field-level details.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import RequestDataTooBig
from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import exceptions, status
from rest_framework.response import Response


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


class TooManyRequestsError(ApplicationError):
    """A limit per user was reached; `retry_after` (seconds) becomes the Retry-After header."""

    status_code = status.HTTP_429_TOO_MANY_REQUESTS
    code = "too_many_requests"

    def __init__(self, message: str, *, retry_after: int | None = None, extra: dict[str, Any] | None = None) -> None:
        super().__init__(message, extra=extra)
        self.retry_after = retry_after


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
        if isinstance(exc, TooManyRequestsError) and exc.retry_after:
            answer["Retry-After"] = str(exc.retry_after)
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
