"""One error format for the whole API:

{"error": {"status": 422, "code": "validation_error", "message": "…",
           "fields": [{"path": "body.payload.email", "message": "…"}]}}
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError

from komar.api.auth import TwoFactorRequired
from komar.core.access import public


def error_body(
    status: int, code: str, message: str, fields: list[dict[str, str]] | None = None
) -> dict[str, Any]:
    body: dict[str, Any] = {"status": status, "code": code, "message": message}
    if fields is not None:
        body["fields"] = fields
    return {"error": body}


def error_response(
    status: int, code: str, message: str, fields: list[dict[str, str]] | None = None
) -> JsonResponse:
    return JsonResponse(error_body(status, code, message, fields), status=status)


def _ninja_fields(errors: list[dict[str, Any]]) -> list[dict[str, str]]:
    """Field paths as clients know them: `body.kind`, `query.page` — without the name of the
    Python parameter that ninja puts second (`body.payload.kind`)."""
    fields = []
    for error in errors:
        loc = [str(part) for part in error.get("loc", [])]
        if len(loc) >= 3 and loc[0] in {"body", "query", "path"}:
            loc = [loc[0], *loc[2:]]
        fields.append({"path": ".".join(loc), "message": str(error.get("msg", ""))})
    return fields


def install(api: NinjaAPI) -> None:
    @api.exception_handler(NinjaValidationError)
    def validation(request: HttpRequest, exc: NinjaValidationError) -> HttpResponse:
        return error_response(
            422, "validation_error", _("Some values are not valid."), _ninja_fields(exc.errors)
        )

    @api.exception_handler(DjangoValidationError)
    def service_validation(request: HttpRequest, exc: DjangoValidationError) -> HttpResponse:
        if hasattr(exc, "error_dict"):
            fields = [
                {"path": f"body.{name}" if name != "__all__" else "body", "message": str(msg)}
                for name, errors in exc.message_dict.items()
                for msg in errors
            ]
        else:
            fields = [{"path": "body", "message": str(msg)} for msg in exc.messages]
        return error_response(422, "validation_error", _("Some values are not valid."), fields)

    @api.exception_handler(AuthenticationError)
    def unauthenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
        return error_response(
            401, "not_authenticated", _("Sign in, or send an API token as a Bearer header.")
        )

    @api.exception_handler(TwoFactorRequired)
    def two_factor(request: HttpRequest, exc: TwoFactorRequired) -> HttpResponse:
        return error_response(
            403, "two_factor_required", _("Your role requires two-factor sign-in. Set it up first.")
        )

    @api.exception_handler(PermissionDenied)
    def forbidden(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
        return error_response(403, "forbidden", _("You do not have permission to do this."))

    @api.exception_handler(Http404)
    def not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
        return error_response(404, "not_found", _("Not found."))

    @api.exception_handler(HttpError)
    def http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
        return error_response(exc.status_code, "error", str(exc))


@public
def not_found_view(request: HttpRequest, *args: Any, **kwargs: Any) -> JsonResponse:
    """Unknown paths under /api/ answer in the API's error format, not an HTML page."""
    return error_response(404, "not_found", _("No such API endpoint."))
