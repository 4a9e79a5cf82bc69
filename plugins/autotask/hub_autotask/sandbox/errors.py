"""The error answer the sandbox's Autotask API sends: a status and a JSON body."""

from __future__ import annotations

from typing import Any


class ApiError(Exception):
    """An Autotask-shaped failure: HTTP ``status`` with ``{"errors": [...]}``."""

    def __init__(self, status: int, message: str, *, body: dict[str, Any] | None = None) -> None:
        """Create an error; ``body`` overrides the default ``{"errors": [message]}``."""
        super().__init__(message)
        self.status = status
        self.body: dict[str, Any] = body if body is not None else {"errors": [message]}


def business_rule(message: str) -> ApiError:
    """Return the 500 answer Autotask gives when a request breaks a rule."""
    return ApiError(500, message)


def not_found(path: str) -> ApiError:
    """Return the ASP.NET-style 404 for a path no route matches."""
    return ApiError(
        404,
        "not found",
        body={"Message": f"No HTTP resource was found that matches the request URI '{path}'."},
    )


def method_not_allowed(method: str) -> ApiError:
    """Return the ASP.NET-style 405 for a known path and a wrong method."""
    return ApiError(
        405,
        "method not allowed",
        body={"Message": f"The requested resource does not support http method '{method}'."},
    )
