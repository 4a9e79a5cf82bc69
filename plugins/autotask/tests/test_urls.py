"""The URL policy: credentials only go to https://*.autotask.net, or where the operator says."""

from __future__ import annotations

import pytest
from hub_autotask import urls

from hub.errors import ConfigurationError

SANDBOX = "http://127.0.0.1:8123/atservicesrest/"


@pytest.fixture
def no_override(monkeypatch: pytest.MonkeyPatch) -> None:
    """No operator override: only Autotask's own hosts."""
    monkeypatch.delenv(urls.LOOKUP_URL_VARIABLE, raising=False)


@pytest.mark.usefixtures("no_override")
def test_autotask_zones_are_allowed() -> None:
    """Any https webservicesN host under autotask.net is accepted, with a trailing slash."""
    url = "https://webservices15.autotask.net/ATServicesRest"
    assert urls.require_allowed(url, "zone URL") == url + "/"
    assert urls.lookup_base() == urls.DEFAULT_LOOKUP_URL


@pytest.mark.usefixtures("no_override")
@pytest.mark.parametrize(
    "url",
    [
        "http://webservices15.autotask.net/ATServicesRest/",  # plain http
        "https://webservices15.autotask.net.evil.example/",  # look-alike host
        "https://evilautotask.net/",  # not a subdomain
        "https://127.0.0.1:8123/zone15/ATServicesRest/",
        SANDBOX,
    ],
)
def test_other_hosts_are_refused_with_a_clear_message(url: str) -> None:
    """Without the operator's variable, anything else is a ConfigurationError naming the rule."""
    with pytest.raises(ConfigurationError) as caught:
        urls.require_allowed(url, "zone URL setting")
    assert "autotask.net" in str(caught.value)
    assert urls.LOOKUP_URL_VARIABLE in str(caught.value)


def test_operator_variable_opens_only_its_own_origin(monkeypatch: pytest.MonkeyPatch) -> None:
    """HUB_AUTOTASK_ZONE_LOOKUP_URL allows its origin (http included), not every host."""
    monkeypatch.setenv(urls.LOOKUP_URL_VARIABLE, SANDBOX)
    assert urls.lookup_base() == SANDBOX
    assert urls.require_allowed("http://127.0.0.1:8123/zone16/ATServicesRest", "zone URL")
    with pytest.raises(ConfigurationError):
        urls.require_allowed("http://127.0.0.1:9999/zone16/ATServicesRest/", "zone URL")
    with pytest.raises(ConfigurationError):
        urls.require_allowed("http://attacker.example/", "zone URL")


@pytest.mark.usefixtures("no_override")
def test_user_info_and_non_http_schemes_are_refused() -> None:
    """URLs carrying credentials of their own, or another scheme, are refused."""
    for url in ("https://u:p@webservices1.autotask.net/", "ftp://webservices1.autotask.net/", ""):
        with pytest.raises(ConfigurationError):
            urls.require_allowed(url, "zone URL")


def test_same_origin_compares_scheme_host_and_port() -> None:
    """Default ports count; paths do not."""
    base = "https://webservices15.autotask.net/ATServicesRest/"
    assert urls.same_origin("https://WEBSERVICES15.autotask.net:443/x/y", base)
    assert not urls.same_origin("http://webservices15.autotask.net/x", base)
    assert not urls.same_origin("https://webservices16.autotask.net/x", base)
