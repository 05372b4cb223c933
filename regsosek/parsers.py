"""Request body limits for the API, and a clear 400 for a body that is not JSON.

Django checks DATA_UPLOAD_MAX_MEMORY_SIZE only when `request.body` or `request.POST` is read; DRF's
parsers read the stream directly, so without this a hostile client could make a worker hold an
arbitrarily large JSON body in memory before the batch-size check ever runs.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.utils.translation import gettext as _
from rest_framework import exceptions, status
from rest_framework.parsers import JSONParser


class RequestTooLargeError(exceptions.APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_detail = "Permintaan terlalu besar."
    default_code = "too_large"


class LimitedJSONParser(JSONParser):
    def parse(self, stream: Any, media_type: str | None = None, parser_context: Any = None) -> Any:
        request = (parser_context or {}).get("request")
        length = 0
        if request is not None:
            try:
                length = int(request.META.get("CONTENT_LENGTH") or 0)
            except ValueError:
                length = 0
        if length > settings.DATA_UPLOAD_MAX_MEMORY_SIZE:
            raise RequestTooLargeError()
        try:
            return super().parse(stream, media_type, parser_context)
        except RecursionError:
            # Python's decoder recurses per nesting level: a body of 100,000 "[" is a hostile one.
            raise exceptions.ParseError(_("Isi permintaan bersarang terlalu dalam.")) from None
        except exceptions.ParseError:
            raise exceptions.ParseError(_("Isi permintaan bukan JSON yang sah.")) from None
