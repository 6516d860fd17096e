"""Every failure answers JSON `{"code", "message"}` with a Chinese message."""

from django.core.exceptions import ValidationError as ModelValidationError
from django.db import InterfaceError, OperationalError
from django.http import Http404, HttpRequest, HttpResponse
from django.http.multipartparser import MultiPartParserError
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError

from cme.core.errors import Conflict, DomainError, NotFound, PermissionDenied

_STATUS = [(NotFound, 404), (PermissionDenied, 403), (Conflict, 409)]

# pydantic error types → Chinese; anything else says the format is wrong.
_VALIDATION_MESSAGES = {
    "missing": "必填。",
    "string_type": "应为文本。",
    "string_too_long": "不能超过{max_length}个字符。",
    "string_too_short": "至少{min_length}个字符。",
    "int_type": "应为整数。",
    "int_parsing": "应为整数。",
    "bool_parsing": "应为 true 或 false。",
    "greater_than_equal": "不能小于{ge}。",
    "less_than_equal": "不能大于{le}。",
    "less_than": "应小于{lt}。",
    "literal_error": "取值无效，可选：{expected}。",
    "enum": "取值无效，可选：{expected}。",
    "json_invalid": "不是有效的JSON。",
    "model_attributes_type": "应为JSON对象。",
    "dict_type": "应为JSON对象。",
}
_HTTP_MESSAGES = {
    403: "您无权执行此操作。",
    404: "未找到该记录，或您无权查看。",
    405: "不支持该请求方法。",
    429: "请求过于频繁，请稍后再试。",
}


def error_body(code: str, message: str, **extra: object) -> dict:
    return {"code": code, "message": message, **{k: v for k, v in extra.items() if v is not None}}


def _field(loc: tuple | list) -> str:
    """("body", "payload", "decision") → "decision"; ("query", "page") → "page"."""
    parts = [str(p) for p in loc]
    in_body = bool(parts) and parts[0] == "body"
    return ".".join(parts[2:] or parts[1:] if in_body else parts[1:])


def _validation_message(error: dict) -> str:
    template = _VALIDATION_MESSAGES.get(error.get("type", ""), "格式不正确。")
    try:
        return template.format(**error.get("ctx", {}))
    except (KeyError, IndexError):
        return "格式不正确。"


def install(api: NinjaAPI) -> None:
    """Register the handlers on the API object."""

    def domain_error(request: HttpRequest, exc: DomainError) -> HttpResponse:
        status = next((s for cls, s in _STATUS if isinstance(exc, cls)), 400)
        body = error_body(exc.code, exc.message, field=exc.field, row=exc.row)
        return api.create_response(request, body, status=status)

    def validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
        errors = [
            {"field": _field(e.get("loc", ())), "message": _validation_message(e)}
            for e in exc.errors
        ]
        summary = "；".join(
            "{f}：{m}".format(f=e["field"] or "请求", m=e["message"]) for e in errors
        )
        body = error_body(
            "VALIDATION_ERROR",
            "请求数据有误：{s}".format(s=summary),
            field=errors[0]["field"] if errors else None,
            errors=errors,
        )
        return api.create_response(request, body, status=422)

    def model_validation_error(request: HttpRequest, exc: ModelValidationError) -> HttpResponse:
        """A model's full_clean() failing inside an action (safety net: actions should
        raise DomainError)."""
        if hasattr(exc, "error_dict"):
            pairs = [(f, m) for f, messages in exc.message_dict.items() for m in messages]
        else:
            pairs = [("", m) for m in exc.messages]
        errors = [{"field": "" if f == "__all__" else f, "message": m} for f, m in pairs]
        body = error_body(
            "INVALID",
            "；".join(e["message"] for e in errors),
            field=next((e["field"] for e in errors if e["field"]), None),
            errors=errors,
        )
        return api.create_response(request, body, status=400)

    def authentication_error(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
        body = error_body(
            "UNAUTHENTICATED",
            "未登录或API令牌无效：请在请求头中提供 Authorization: Bearer <令牌>。",
        )
        response = api.create_response(request, body, status=401)
        response["WWW-Authenticate"] = 'Bearer realm="api"'
        return response

    def http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
        if exc.status_code == 403 and "CSRF" in exc.message:
            body = error_body("CSRF_FAILED", "CSRF校验失败，请刷新页面后重试。")
        elif exc.status_code == 400 and "parse request body" in exc.message:
            body = error_body("BAD_BODY", "请求体无法解析，请发送有效的JSON。")
        else:
            message = _HTTP_MESSAGES.get(exc.status_code, "请求无法处理。")
            body = error_body(f"HTTP_{exc.status_code}", message)
        return api.create_response(request, body, status=exc.status_code)

    def not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
        return api.create_response(
            request, error_body("NOT_FOUND", _HTTP_MESSAGES[404]), status=404
        )

    api.add_exception_handler(DomainError, domain_error)
    api.add_exception_handler(ValidationError, validation_error)
    api.add_exception_handler(ModelValidationError, model_validation_error)
    api.add_exception_handler(AuthenticationError, authentication_error)
    api.add_exception_handler(HttpError, http_error)
    api.add_exception_handler(Http404, not_found)

    def bad_multipart(request: HttpRequest, exc: MultiPartParserError) -> HttpResponse:
        body = error_body(
            "BAD_MULTIPART",
            "上传的请求体不是有效的 multipart/form-data（缺少或无效的 boundary）。",
        )
        return api.create_response(request, body, status=400)

    api.add_exception_handler(MultiPartParserError, bad_multipart)

    def overflow(request: HttpRequest, exc: OverflowError) -> HttpResponse:
        """A number past the database's integers (SQLite): no such record."""
        return api.create_response(
            request, error_body("NOT_FOUND", _HTTP_MESSAGES[404]), status=404
        )

    api.add_exception_handler(OverflowError, overflow)

    def database_unavailable(request: HttpRequest, exc: Exception) -> HttpResponse:
        """The database is restarting or unreachable: retry shortly (the page does the same,
        cme.core.middleware.database_unavailable)."""
        from cme.core.middleware import database_unavailable as unavailable

        return unavailable(request, exc)

    api.add_exception_handler(OperationalError, database_unavailable)
    api.add_exception_handler(InterfaceError, database_unavailable)
