"""Every kind of Autotask answer lands in the right class, with an admin's message."""

from __future__ import annotations

import httpx
import pytest
from hub_autotask.responses import (
    Verdict,
    classify,
    classify_exception,
    permission_message,
    retry_after,
)

from hub.errors import AuthenticationFailed, ConnectionFailed, PermissionDenied, RateLimited

SECRET = "s3cr3t*VALUE~7"


def answer(
    status: int, body: object = None, headers: dict[str, str] | None = None
) -> httpx.Response:
    """Build a response like Autotask's."""
    request = httpx.Request("POST", "https://webservices15.autotask.net/ATServicesRest/V1.0/x")
    if isinstance(body, str):
        return httpx.Response(status, text=body, headers=headers, request=request)
    return httpx.Response(status, json=body, headers=headers, request=request)


def verdict_of(response: httpx.Response, method: str = "QUERY") -> Verdict:
    """Classify as a query of Contracts."""
    return classify(
        response, entity="Contracts", action="a query of Contracts", method=method, secrets=[SECRET]
    )


def test_success() -> None:
    """2xx is ok."""
    assert verdict_of(answer(200, {"items": []})).ok


def test_429_is_retried_and_retry_after_is_honoured() -> None:
    """A plain 429 is retriable and carries Retry-After (seconds or HTTP date)."""
    verdict = verdict_of(answer(429, {"errors": ["Too many requests"]}, {"Retry-After": "3"}))
    assert verdict.kind == "retry" and verdict.retry_after == 3.0
    assert isinstance(verdict.error, RateLimited)
    dated = answer(429, {}, {"Retry-After": "Wed, 21 Oct 2015 07:28:00 GMT"})
    assert retry_after(dated) == 0.0  # in the past: retry now


@pytest.mark.parametrize("status", [429, 500, 403])
def test_thread_threshold_is_retried_in_any_status(status: int) -> None:
    """Itgenatr005 means "too many concurrent requests", whatever the status code."""
    body = {"errors": ["Itgenatr005: Thread Threshold Exceeded."]}
    verdict = verdict_of(answer(status, body))
    assert verdict.kind == "retry" and isinstance(verdict.error, RateLimited)
    assert "Itgenatr005" in str(verdict.error)


def test_hourly_quota_exhaustion_is_not_retried_in_process() -> None:
    """Past 100% of the hourly limit, waiting seconds does not help: hand it to the core."""
    body = {"errors": ["The external request threshold of 10000 requests has been exceeded."]}
    verdict = verdict_of(answer(429, body))
    assert verdict.kind == "fatal" and isinstance(verdict.error, RateLimited)
    assert verdict.error.retriable and verdict.error.retry_after
    assert "shared by every integration" in str(verdict.error)


@pytest.mark.parametrize(
    ("status", "body"),
    [
        (
            500,
            {
                "errors": ["An unexpected error has occurred. Quote error id 1000002."],
                "errorId": 1000002,
            },
        ),
        (502, "<html><body>Bad gateway</body></html>"),
        (503, {"Message": "Service unavailable"}),
        (504, ""),
    ],
)
def test_server_errors_are_retried(status: int, body: object) -> None:
    """Unexpected 500s (with an errorId) and gateway errors are transient."""
    verdict = verdict_of(answer(status, body))
    assert verdict.kind == "retry" and type(verdict.error) is ConnectionFailed


def test_401_is_an_authentication_failure_flagged_for_a_zone_relookup() -> None:
    """A wrong secret (or a moved zone) answers 401."""
    verdict = verdict_of(answer(401, {"errors": ["Invalid user name or secret."]}))
    assert verdict.kind == "fatal" and verdict.unauthorized
    assert isinstance(verdict.error, AuthenticationFailed)
    assert "secret" in str(verdict.error)


@pytest.mark.parametrize(
    ("message", "expected"),
    [
        ("Unable to find an API user with the given user name.", "does not know this API user"),
        ("IntegrationCode is invalid.", "API tracking identifier"),
    ],
)
def test_unknown_user_and_bad_integration_code_are_authentication_failures(
    message: str, expected: str
) -> None:
    """Autotask answers both with HTTP 500."""
    verdict = verdict_of(answer(500, {"errors": [message]}))
    assert verdict.kind == "fatal" and isinstance(verdict.error, AuthenticationFailed)
    assert expected in str(verdict.error)


def test_permission_500_names_what_to_grant() -> None:
    """The admin reads which entity and which permission column to change."""
    body = {
        "errors": [
            "The logged in Resource does not have the adequate permissions "
            "to query this entity type."
        ]
    }
    verdict = verdict_of(answer(500, body))
    assert verdict.kind == "fatal" and isinstance(verdict.error, PermissionDenied)
    assert "cannot read Contracts: give its security level Contracts View = All" in str(
        verdict.error
    )
    edit = classify(answer(500, body), entity="ConfigurationItems", action="x", method="PATCH")
    assert "cannot update Configuration Items" in str(edit.error)
    assert "Configuration Items Edit = All" in str(edit.error)


def test_business_rule_keeps_autotask_words_and_scrubs_the_secret() -> None:
    """Other 500s are fatal with the remote message; a secret echoed back is scrubbed."""
    body = {"errors": [f"companyType 99 is not a valid value (secret was {SECRET})"]}
    verdict = verdict_of(answer(500, body), method="PATCH")
    assert verdict.kind == "fatal" and type(verdict.error) is ConnectionFailed
    assert "companyType 99 is not a valid value" in str(verdict.error)
    assert SECRET not in str(verdict.error)


@pytest.mark.parametrize(
    ("status", "body", "said"),
    [
        (400, {"errors": ["Bad filter"]}, "Bad filter"),
        (404, {"Message": "No HTTP resource was found"}, "No HTTP resource"),
        (405, "<html><h1>Method not allowed</h1></html>", "Method not allowed"),
    ],
)
def test_client_errors_are_fatal_with_the_remote_message(
    status: int, body: object, said: str
) -> None:
    """400/404/405 are not retried; HTML bodies are reduced to their text."""
    verdict = verdict_of(answer(status, body))
    assert verdict.kind == "fatal" and said in str(verdict.error)


@pytest.mark.parametrize(
    ("exc", "words"),
    [
        (httpx.ReadTimeout("slow"), "timed out"),
        (httpx.ConnectError("refused"), "could not connect"),
        (httpx.RemoteProtocolError("closed"), "dropped the connection"),
        (httpx.ReadError("reset"), "dropped the connection"),
    ],
)
def test_transport_failures_are_retried(exc: Exception, words: str) -> None:
    """Timeouts and dropped connections are transient."""
    verdict = classify_exception(exc, action="a query of Tickets")
    assert verdict.kind == "retry" and words in str(verdict.error)


def test_permission_message_for_entities_outside_the_table() -> None:
    """Unknown entities are split into words."""
    assert "Ticket Notes View = All" in permission_message("TicketNotes")
