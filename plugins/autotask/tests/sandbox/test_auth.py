"""Authentication headers and Autotask's odd failure codes."""

from __future__ import annotations

import httpx
from hub_autotask.sandbox import Sandbox

from .conftest import auth_headers


def get(sb: Sandbox, headers: dict[str, str]) -> httpx.Response:
    return httpx.get(f"{sb.zone_url}V1.0/Companies/0", headers=headers)


def test_header_names_are_case_insensitive(sandbox: Sandbox) -> None:
    headers = {k.lower(): v for k, v in auth_headers(sandbox).items()}
    assert get(sandbox, headers).status_code == 200
    headers = {k.upper(): v for k, v in auth_headers(sandbox).items()}
    assert get(sandbox, headers).status_code == 200


def test_wrong_secret_is_401(sandbox: Sandbox) -> None:
    answer = get(sandbox, {**auth_headers(sandbox), "Secret": "wrong"})
    assert answer.status_code == 401
    assert isinstance(answer.json()["errors"], list)


def test_unknown_user_is_500(sandbox: Sandbox) -> None:
    answer = get(sandbox, {**auth_headers(sandbox), "UserName": "nobody@example.com"})
    assert answer.status_code == 500
    assert answer.json()["errors"]


def test_wrong_integration_code_is_500(sandbox: Sandbox) -> None:
    answer = get(sandbox, {**auth_headers(sandbox), "ApiIntegrationCode": "NOTTHECODE"})
    assert answer.status_code == 500
    assert answer.json()["errors"]


def test_missing_headers_fail(sandbox: Sandbox) -> None:
    assert get(sandbox, {}).status_code == 500


def test_impersonation_header_is_optional_and_checked(sandbox: Sandbox) -> None:
    resource = sandbox.records("Resources")[0]["id"]
    headers = {**auth_headers(sandbox), "ImpersonationResourceId": str(resource)}
    assert get(sandbox, headers).status_code == 200
    headers["ImpersonationResourceId"] = "12345"
    assert get(sandbox, headers).status_code == 500


def test_credentials_are_deterministic_per_seed() -> None:
    one, two, other = Sandbox(seed=7), Sandbox(seed=7), Sandbox(seed=8)
    assert one.credentials == two.credentials
    assert one.credentials != other.credentials
    assert " " not in one.credentials["secret"]
