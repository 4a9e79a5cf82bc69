"""Zone lookup, zone prefixes and zone moves."""

from __future__ import annotations

from collections.abc import Callable

import httpx
from hub_autotask.sandbox import Sandbox

from .conftest import auth_headers


def lookup(sb: Sandbox, user: str) -> httpx.Response:
    return httpx.get(f"{sb.zone_lookup_url}v1.0/zoneInformation", params={"user": user})


def test_zone_lookup_needs_no_credentials_and_points_elsewhere(sandbox: Sandbox) -> None:
    answer = lookup(sandbox, sandbox.credentials["username"])
    assert answer.status_code == 200
    zone = answer.json()
    assert set(zone) == {"zoneName", "url", "webUrl", "ci"}
    assert isinstance(zone["ci"], int)
    assert zone["url"] == sandbox.zone_url
    assert zone["url"].endswith("/")
    assert httpx.URL(zone["url"]).path != httpx.URL(sandbox.zone_lookup_url).path


def test_zone_lookup_user_is_case_insensitive_and_urlencoded(sandbox: Sandbox) -> None:
    answer = lookup(sandbox, sandbox.credentials["username"].upper())
    assert answer.status_code == 200


def test_unknown_or_blank_user_gives_500(sandbox: Sandbox) -> None:
    for user in ("nobody@example.com", ""):
        answer = lookup(sandbox, user)
        assert answer.status_code == 500
        assert answer.json() == {"errors": ["Zone information could not be determined"]}


def test_api_answers_only_under_the_zone_prefix(sandbox: Sandbox) -> None:
    headers = auth_headers(sandbox)
    good = httpx.get(f"{sandbox.zone_url}V1.0/Companies/0", headers=headers)
    assert good.status_code == 200
    for base in (sandbox.zone_lookup_url, sandbox.base_url + "zone99/ATServicesRest/"):
        wrong = httpx.get(f"{base}V1.0/Companies/0", headers=headers)
        assert wrong.status_code == 401
        assert "errors" in wrong.json()


def test_zone_lookup_is_not_counted(sandbox: Sandbox) -> None:
    before = sandbox.usage()
    lookup(sandbox, sandbox.credentials["username"])
    assert sandbox.usage() == before


def test_zone_move_makes_old_zone_answer_401(
    fresh: Sandbox, client_for: Callable[[Sandbox], httpx.Client]
) -> None:
    old = fresh.zone_url
    client = client_for(fresh)
    assert client.get("V1.0/Companies/0").status_code == 200
    new = fresh.move_zone()
    assert new != old
    assert client.get(f"{old}V1.0/Companies/0").status_code == 401
    assert lookup(fresh, fresh.credentials["username"]).json()["url"] == new
    assert client.get(f"{new}V1.0/Companies/0").status_code == 200
