"""Tenant isolation: every admin page and API endpoint, tried by A with B's ids.

``ROUTES`` says, per endpoint of ``app.url_map``, how to call it with the
other tenant's ids (``Ids``: a connector only B has set up, B's run, token,
hub company and type, a remote company only B's mirror holds, B's contract,
notice, asset and write-back run). Each call is
made twice, with B's ids and with ids that exist nowhere: the answers must
be the same refusal (403, 404 or 422; a page's error message), so nothing
tells A that B's record exists, and the whole database and the job queue
must be unchanged. Calls on A's own integration must show none of B's data.

A new route fails :func:`test_every_route_is_probed_or_declared_tenant_free`
until it gets a row here (or a reason in ``TENANT_FREE``): pages added by
other features are covered as soon as they exist.

The webhook endpoint has no session or token: its credential is the
delivery's signature, so A signs deliveries with its own webhook secrets and
sends them to B's integration
(:func:`test_a_delivery_signed_with_another_tenants_secret_is_refused`).
"""

from __future__ import annotations

import io
import json
import re
from collections.abc import Callable
from dataclasses import dataclass, fields
from typing import Any, Literal

from flask import Flask
from flask.testing import FlaskClient
from hub_autotask.webhooks import sign
from sqlalchemy import select
from werkzeug.test import TestResponse

from hub.extensions import db
from hub.models import ApiToken, Integration, WebhookDelivery
from hub.webhooks.subscriptions import registrations_of
from tests.security.conftest import World, csrf_of, snapshot

API = "/api/v1"
REFUSED = (403, 404, 422)
MISSING_ID = 987654


@dataclass(frozen=True)
class Ids:
    """The ids one probe uses: B's (foreign) or ones that exist for nobody (missing)."""

    connector: str
    run: int
    token: int
    company: int
    type_value: int
    remote_company: str
    contract: int
    notice: int
    asset: int
    writeback_run: int


@dataclass(frozen=True)
class Call:
    """One request: form posts get a CSRF token; ``json`` goes to the API."""

    method: str
    path: str
    json: Any = None
    form: dict[str, Any] | None = None


Build = Callable[[World, Ids], Call]
Kind = Literal["refused", "own", "own-write"]


@dataclass(frozen=True)
class Probe:
    """How to try one method of one route: ``refused`` (B's ids), ``own`` (no B data shown).

    ``own-write`` changes only A's own data (e.g. A sets up its own IT Glue
    integration); B's rows must stay as they were.
    """

    method: str
    build: Build
    kind: Kind = "refused"


def _page(
    method: str,
    path: Callable[[Ids], str],
    form: Callable[[World, Ids], Any] | None = None,
    kind: Kind = "refused",
) -> Probe:
    return Probe(
        method, lambda w, i: Call(method, path(i), form=form(w, i) if form else None), kind
    )


def _api(
    method: str,
    path: Callable[[Ids], str],
    body: Callable[[World, Ids], Any] | None = None,
    kind: Kind = "refused",
) -> Probe:
    return Probe(
        method, lambda w, i: Call(method, API + path(i), json=body(w, i) if body else None), kind
    )


def _on(suffix: str = "") -> Callable[[Ids], str]:
    return lambda i: f"/integrations/{i.connector}{suffix}"


def _own(suffix: str = "") -> Callable[[Ids], str]:
    return lambda i: f"/integrations/autotask{suffix}"


def _a_contracts(w: World) -> str:
    """A's own contracts of the company whose remote contract B imported."""
    return f"/companies/{w.a_company_id}/contracts"


def _own_preview(i: Ids) -> str:
    return f"/integrations/autotask/writeback/preview?asset_id={i.asset}"


def _csv(asset: int) -> str:
    return f"asset_id,warranty_expiration_date\n{asset},2030-01-31\n"


ROUTES: dict[str, list[Probe]] = {
    # Admin pages (session + CSRF).
    "admin.integrations": [_page("GET", lambda i: "/", kind="own")],
    "admin.tokens": [
        _page("GET", lambda i: "/tokens", kind="own"),
        _page("POST", lambda i: "/tokens", lambda w, i: {"revoke": str(i.token)}),
    ],
    "admin.settings": [
        _page("GET", _on("/settings"), kind="own"),
        _page("POST", _on("/settings"), lambda w, i: {"action": "test", "api_key": ""}),
        _page(
            "POST",
            _on("/settings"),
            lambda w, i: {"action": "save", "api_key": "ITG.a-own"},
            kind="own-write",
        ),
    ],
    "admin.sync": [
        _page("GET", _on("/sync")),
        _page("POST", _on("/sync"), lambda w, i: {}),
        _page("GET", _own("/sync"), kind="own"),
    ],
    "admin.companies": [
        _page("GET", _on("/companies")),
        _page("POST", _on("/companies"), lambda w, i: {"action": "create"}),
        _page("GET", _own("/companies?limit=1000"), kind="own"),
        _page(
            "POST", _own("/companies"), lambda w, i: {"map": f"{w.a_remote_company}:{i.company}"}
        ),
        _page(
            "POST",
            _own("/companies"),
            lambda w, i: {"action": "save", f"target_{w.a_remote_company}": str(i.company)},
        ),
        _page(
            "POST",
            _own("/companies"),
            lambda w, i: {"action": "create", "remote_id": i.remote_company},
        ),
        _page(
            "POST",
            _own("/companies"),
            lambda w, i: {"action": "unmap", "remote_id": i.remote_company},
        ),
    ],
    "admin.picklists": [
        _page("GET", _on("/types")),
        _page("POST", _on("/types"), lambda w, i: {"kind": "company_type", "action": "create"}),
        _page("GET", _own("/types"), kind="own"),
        _page(
            "POST",
            _own("/types"),
            lambda w, i: {"kind": "company_type", f"value_{w.a_remote_type}": str(i.type_value)},
        ),
    ],
    "admin.asset_fields": [
        _page("GET", _on("/asset-fields")),
        _page("POST", _on("/asset-fields"), lambda w, i: {"action": "fields", "name_0": "x"}),
        _page("GET", _own("/asset-fields"), kind="own"),
        _page(
            "POST",
            _own("/asset-fields"),
            lambda w, i: {
                "action": "selection",
                "companies": "list",
                "companies_list": i.remote_company,
            },
        ),
    ],
    # JSON API (bearer token; reads also with the session).
    "api_integrations.Connectors": [_api("GET", lambda i: "/connectors", kind="own")],
    "api_integrations.IntegrationSettings": [
        _api("GET", _on(), kind="own"),
        _api(
            "PUT",
            _on(),
            lambda w, i: {"settings": {"api_key": "ITG.a-own"}, "enabled": False},
            kind="own-write",
        ),
    ],
    "api_integrations.test_connection": [_api("POST", _on("/test"), lambda w, i: {"settings": {}})],
    "api_integrations.sync": [_api("POST", _on("/sync"), lambda w, i: {})],
    "api_integrations.status": [
        _api("GET", _on("/status")),
        _api("GET", _own("/status"), kind="own"),
    ],
    "api_integrations.runs": [_api("GET", _on("/runs")), _api("GET", _own("/runs"), kind="own")],
    "api_integrations.run": [_api("GET", lambda i: f"/runs/{i.run}")],
    "api_tokens.Tokens": [
        _api("GET", lambda i: "/tokens", kind="own"),
        _api("POST", lambda i: "/tokens", lambda w, i: {"name": "a-own"}, kind="own-write"),
    ],
    "api_tokens.revoke": [_api("DELETE", lambda i: f"/tokens/{i.token}")],
    "api_mappings.companies": [
        _api("GET", _on("/companies")),
        _api("GET", _own("/companies?limit=1000"), kind="own"),
    ],
    "api_mappings.map_": [
        _api(
            "POST",
            _on("/companies/map"),
            lambda w, i: {"remote_id": w.a_remote_company, "company_id": i.company},
        ),
        _api(
            "POST",
            _own("/companies/map"),
            lambda w, i: {"remote_id": w.a_remote_company, "company_id": i.company},
        ),
    ],
    "api_mappings.unmap": [
        _api("POST", _own("/companies/unmap"), lambda w, i: {"remote_id": i.remote_company}),
    ],
    "api_mappings.companies_create_unmapped": [
        _api("POST", _on("/companies/create-unmapped"), lambda w, i: {}),
        _api(
            "POST",
            _own("/companies/create-unmapped"),
            lambda w, i: {"remote_ids": [i.remote_company]},
        ),
    ],
    "api_mappings.picklist": [
        _api("GET", _on("/picklists/company_type")),
        _api("GET", _own("/picklists/company_type"), kind="own"),
    ],
    "api_mappings.picklist_map": [
        _api(
            "PUT",
            _own("/picklists/company_type"),
            lambda w, i: {"map": {w.a_remote_type: i.type_value}},
        ),
    ],
    "api_mappings.picklist_create_unmapped": [
        _api("POST", _on("/picklists/company_type/create-unmapped")),
    ],
    "api_mappings.picklists": [
        _api("GET", _on("/picklists")),
        _api("GET", _own("/picklists"), kind="own"),
    ],
    "api_mappings.asset_fields": [
        _api("GET", _on("/asset-fields")),
        _api("GET", _own("/asset-fields"), kind="own"),
    ],
    "api_mappings.asset_fields_change": [
        _api("PUT", _on("/asset-fields"), lambda w, i: {"fields": {"name": ["x"]}}),
    ],
    "api_mappings.asset_selection": [
        _api("PUT", _on("/asset-selection"), lambda w, i: {"companies": "mapped"}),
        _api("PUT", _own("/asset-selection"), lambda w, i: {"companies": [i.remote_company]}),
    ],
    "api_mappings.assets": [
        _api("GET", _on("/assets")),
        _api("GET", _own("/assets?limit=500"), kind="own"),
    ],
    # Hub companies and their contracts ("Sync from PSA").
    "admin.hub_companies": [
        _page("GET", lambda i: "/companies", kind="own"),
        _page("GET", lambda i: "/companies?search=Renamed", kind="own"),  # B's renamed company
    ],
    "admin.company_contracts": [
        _page("GET", lambda i: f"/companies/{i.company}/contracts"),
        _page("GET", lambda i: f"/companies/{i.company}/contracts?psa=1&services=1"),
        Probe("GET", lambda w, i: Call("GET", f"{_a_contracts(w)}?psa=1&services=1"), "own"),
        _page(
            "POST",
            lambda i: f"/companies/{i.company}/contracts",
            lambda w, i: {"selected": "contract:1"},
        ),
    ],
    "admin.contract": [
        _page("GET", lambda i: f"/contracts/{i.contract}"),
        _page("POST", lambda i: f"/contracts/{i.contract}", lambda w, i: {"action": "copy"}),
        _page("POST", lambda i: f"/contracts/{i.contract}", lambda w, i: {"name": "A's now"}),
    ],
    "admin.schedule": [
        _page("GET", _on("/schedule")),
        _page("POST", _on("/schedule"), lambda w, i: {"interval_hours": "1"}),
        _page("GET", _own("/schedule"), kind="own"),
    ],
    "admin.notices": [
        _page("GET", lambda i: "/notices", kind="own"),
        _page("POST", lambda i: "/notices", lambda w, i: {"notice": str(i.notice)}, kind="own"),
    ],
    "admin.writeback": [
        _page("GET", _on("/writeback")),
        _page("POST", _on("/writeback"), lambda w, i: {"action": "enable"}),
        _page("GET", _own("/writeback"), kind="own"),
        _page(
            "POST",
            _own("/writeback"),
            lambda w, i: {"action": "rollback", "run_id": str(i.writeback_run)},
        ),
        _page("POST", _own("/writeback"), lambda w, i: {"action": "run", "asset": str(i.asset)}),
    ],
    "admin.warranties": [
        _page("GET", lambda i: "/warranties", kind="own"),
        _page(
            "POST",
            lambda i: "/warranties",
            lambda w, i: {"action": "set", "asset_id": str(i.asset), "date": "2030-01-31"},
        ),
        _page(
            "POST",
            lambda i: "/warranties",
            lambda w, i: {"action": "import", "file": (io.BytesIO(_csv(i.asset).encode()), "a")},
        ),
    ],
    "api_writeback.get_warranty": [_api("GET", lambda i: f"/assets/{i.asset}/warranty")],
    "api_writeback.put_warranty": [
        _api(
            "PUT",
            lambda i: f"/assets/{i.asset}/warranty",
            lambda w, i: {"warranty_expiration_date": "2030-01-31"},
        ),
    ],
    "api_writeback.import_warranties": [
        _api("POST", lambda i: "/warranties/import", lambda w, i: {"csv": _csv(i.asset)}),
    ],
    "api_writeback.lookup": [
        _api("POST", lambda i: "/warranties/lookup", lambda w, i: {"asset_ids": [i.asset]}),
    ],
    "api_writeback.state": [
        _api("GET", _on("/writeback")),
        _api("GET", _own("/writeback"), kind="own"),
    ],
    "api_writeback.switch": [_api("PUT", _on("/writeback"), lambda w, i: {"enabled": True})],
    "api_writeback.preview": [
        _api("GET", _on("/writeback/preview")),
        _api("GET", _own_preview, kind="own"),
    ],
    "api_writeback.list_runs": [
        _api("GET", _on("/writeback/runs")),
        _api("GET", _own("/writeback/runs"), kind="own"),
    ],
    "api_writeback.start_run": [
        _api("POST", _on("/writeback/runs"), lambda w, i: {}),
        _api("POST", _own("/writeback/runs"), lambda w, i: {"asset_ids": [i.asset]}),
    ],
    "api_writeback.log": [
        _api("GET", _on("/writeback/log")),
        _api("GET", _own("/writeback/log"), kind="own"),
    ],
    "api_writeback.get_run": [_api("GET", lambda i: f"/writeback/runs/{i.writeback_run}")],
    "api_writeback.rollback": [
        _api("POST", lambda i: f"/writeback/runs/{i.writeback_run}/rollback"),
    ],
    "api_writeback.webhooks": [
        _api("GET", _on("/webhooks")),
        _api("GET", _own("/webhooks"), kind="own"),
    ],
    "api_writeback.switch_webhooks": [
        _api("PUT", _on("/webhooks"), lambda w, i: {"enabled": False}),
    ],
    "api_contracts.company_contracts": [_api("GET", lambda i: f"/companies/{i.company}/contracts")],
    "api_contracts.psa_listing": [
        _api("GET", lambda i: f"/companies/{i.company}/contracts/psa?services=true"),
        Probe("GET", lambda w, i: Call("GET", f"{API}{_a_contracts(w)}/psa?services=true"), "own"),
    ],
    "api_contracts.psa_import": [
        _api(
            "POST",
            lambda i: f"/companies/{i.company}/contracts/psa/import",
            lambda w, i: {"selected": ["contract:1"]},
        ),
    ],
    "api_contracts.contract": [_api("GET", lambda i: f"/contracts/{i.contract}")],
    "api_contracts.change_contract": [
        _api("PATCH", lambda i: f"/contracts/{i.contract}", lambda w, i: {"name": "A's now"}),
    ],
    "api_contracts.change_services": [
        _api("PUT", lambda i: f"/contracts/{i.contract}/services", lambda w, i: {"services": []}),
    ],
    "api_contracts.copy_contract": [_api("POST", lambda i: f"/contracts/{i.contract}/copy")],
    "api_contracts.contract_sync": [_api("POST", _on("/contracts/sync"))],
    "api_schedules.schedule": [
        _api("GET", _on("/schedule")),
        _api("GET", _own("/schedule"), kind="own"),
    ],
    "api_schedules.change_schedule": [
        _api("PATCH", _on("/schedule"), lambda w, i: {"auto_sync": False}),
    ],
    "api_schedules.notices": [_api("GET", lambda i: "/notices", kind="own")],
    "api_schedules.read_notice": [_api("POST", lambda i: f"/notices/{i.notice}/read")],
    "api_schedules.read_all": [_api("POST", lambda i: "/notices/read", kind="own-write")],
}

#: Routes that hold no tenant data, each with the reason.
TENANT_FREE: dict[str, str] = {
    "static": "the package's static files",
    "admin.login": "before login there is no tenant (tests/security/test_sessions.py)",
    "admin.logout": "ends the caller's own session only (tests/security/test_sessions.py)",
    "admin.plugins": "the loaded plugins: the same for every tenant",
    "api_integrations.plugins": "the loaded plugins: the same for every tenant",
    "api-docs.openapi_json": "the API's description: the same for every tenant",
    "webhooks.delivery": "no session or token: the signature is the credential "
    "(test_a_delivery_signed_with_another_tenants_secret_is_refused)",
}


def _foreign(w: World) -> Ids:
    return Ids(
        "itglue_stub",
        w.b_run_id,
        w.b.token_id,
        w.b_company_id,
        w.b_type_id,
        w.b_only_remote_company,
        w.b_contract_id,
        w.b_notice_id,
        w.b_asset_id,
        w.b_writeback_run_id,
    )


def _missing() -> Ids:
    m = MISSING_ID
    return Ids("itglue_stub", m, m + 1, m + 2, m + 3, str(m + 4), m + 5, m + 6, m + 7, m + 8)


def _send(w: World, call: Call, *, session: bool = False) -> TestResponse:
    client: FlaskClient = w.a.session
    if call.path.startswith(API):
        headers = {} if session else w.a.bearer
        return client.open(call.path, method=call.method, json=call.json, headers=headers)
    form = None
    if call.form is not None:
        form = {**call.form, "csrf_token": csrf_of(client.get("/tokens").get_data(as_text=True))}
    return client.open(call.path, method=call.method, data=form, follow_redirects=True)


def _said(answer: TestResponse) -> str:
    """Return what the answer says: its JSON, or a page's messages."""
    body = answer.get_data(as_text=True)
    if not answer.is_json:
        said = re.findall(r'class="flash error" role="alert">([^<]*)<', body)
        said += re.findall(r"<h1>([^<]*)</h1>\s*<p>([^<]*)</p>", body)
        body = repr(said)
    return body


def _as_if_foreign(text: str, w: World) -> str:
    """Return the answer about missing ids with each one replaced by B's id it stands for.

    Each missing id is distinct and large, so no other number in the text is
    mistaken for one (B's ids may be small numbers that occur anyway).
    """
    foreign, missing = _foreign(w), _missing()
    for name in (f.name for f in fields(Ids) if f.name != "connector"):
        text = re.sub(rf"\b{getattr(missing, name)}\b", str(getattr(foreign, name)), text)
    return text


def _refusal(answer: TestResponse) -> bool:
    if answer.status_code in REFUSED:
        return True
    return answer.status_code == 200 and 'class="flash error"' in answer.get_data(as_text=True)


def _no_leak(w: World, answer: TestResponse, what: str) -> None:
    body = answer.get_data(as_text=True)
    assert answer.status_code < 500, (what, body[:500])
    for secret in w.leaks:
        assert secret not in body, (what, secret)


def test_every_route_is_probed_or_declared_tenant_free(app: Flask) -> None:
    """Each url_map rule has a probe for each of its methods, or a reason to have none."""
    problems = []
    rules = {rule.endpoint: rule for rule in app.url_map.iter_rules()}
    for endpoint, rule in rules.items():
        if endpoint in TENANT_FREE:
            continue
        methods = set(rule.methods or ()) - {"HEAD", "OPTIONS"}
        probed = {p.method for p in ROUTES.get(endpoint, [])}
        if methods - probed:
            problems.append(f"{rule.rule} {sorted(methods - probed)}: add it to ROUTES")
    stale = (set(ROUTES) | set(TENANT_FREE)) - set(rules)
    problems += [f"{endpoint}: no such route any more" for endpoint in sorted(stale)]
    assert not problems, "\n".join(problems)


def test_other_tenants_ids_are_refused_everywhere(world: World) -> None:
    """B's ids get the same refusal as ids that exist nowhere; nothing changes anywhere."""
    w = world
    probes = [(e, p) for e, ps in ROUTES.items() for p in ps]
    start = snapshot(w.app)
    for endpoint, probe in [(e, p) for e, p in probes if p.kind == "refused"]:
        what = f"{endpoint} {probe.method} {probe.build(w, _foreign(w))}"
        before = snapshot(w.app, light=True)
        foreign = _send(w, probe.build(w, _foreign(w)))
        missing = _send(w, probe.build(w, _missing()))
        assert _refusal(foreign), (what, foreign.status_code, foreign.get_data(as_text=True)[:800])
        assert foreign.status_code == missing.status_code, what
        assert _said(foreign) == _as_if_foreign(_said(missing), w), what
        _no_leak(w, foreign, what)
        assert snapshot(w.app, light=True) == before, f"{what} changed something"
        if probe.method == "GET" and probe.build(w, _foreign(w)).path.startswith(API):
            by_session = _send(w, probe.build(w, _foreign(w)), session=True)
            assert by_session.status_code == foreign.status_code, what
    for endpoint, probe in [(e, p) for e, p in probes if p.kind == "own"]:
        call = probe.build(w, _foreign(w))
        before = snapshot(w.app, light=True)
        for session in (False, True) if call.path.startswith(API) else (False,):
            answer = _send(w, call, session=session)
            assert answer.status_code == 200, (endpoint, call, answer.get_data(as_text=True)[:500])
            _no_leak(w, answer, f"{endpoint} {call}")
        assert snapshot(w.app, light=True) == before, f"{endpoint} {call} changed something"
    assert snapshot(w.app) == start


def test_own_writes_and_tokens_stay_in_their_tenant(world: World) -> None:
    """A setting up its own IT Glue or tokens leaves B's rows as they were; tokens see their own."""
    w = world
    b_before = snapshot(w.app, w.b.tenant_id)
    for endpoint, probe in [(e, p) for e, ps in ROUTES.items() for p in ps]:
        if probe.kind == "own-write":
            answer = _send(w, probe.build(w, _foreign(w)))
            assert answer.status_code in (200, 201), (endpoint, answer.get_data(as_text=True))
            _no_leak(w, answer, endpoint)
    assert snapshot(w.app, w.b.tenant_id) == b_before
    with w.app.app_context():
        mine = db.session.scalar(
            select(Integration).where(
                Integration.tenant_id == w.a.tenant_id, Integration.connector == "itglue_stub"
            )
        )
        assert mine is not None and not mine.is_primary
    # B's token still works and still answers for B only.
    answer = w.b.session.get(f"{API}/integrations/itglue_stub/status", headers=w.b.bearer)
    assert answer.status_code == 200
    with w.app.app_context():
        tokens = {t.id: t.tenant_id for t in db.session.scalars(select(ApiToken))}
    assert tokens[w.a.token_id] != tokens[w.b.token_id]
    seen = {}
    for side in (w.a, w.b):
        answer = side.session.get(f"{API}/integrations/autotask/runs", headers=side.bearer)
        seen[side.slug] = {run["id"] for run in answer.json or []}
    assert seen["acme"] and seen["beta"] and not seen["acme"] & seen["beta"]
    assert w.b_run_id in seen["beta"]


def _signed(w: World, integration_id: int, remote_id: str) -> tuple[dict[str, str], bytes]:
    """A company Update delivery signed with A's own companies webhook secret."""
    with w.app.app_context():
        integration = db.session.get(Integration, integration_id)
        assert integration is not None
        secret = next(r.secret for r in registrations_of(integration) if r.stream == "companies")
    event = {"Action": "Update", "EntityType": "Company", "Id": int(remote_id),
             "Fields": {"companyName": "Taken over"}, "SequenceNumber": 7}  # fmt: skip
    body = json.dumps(event).encode()
    return {"X-Hook-Signature": sign(secret, body), "Content-Type": "application/json"}, body


def test_a_delivery_signed_with_another_tenants_secret_is_refused(world: World) -> None:
    """A signs with its own webhook secret and posts to B's integration: 401, nothing changes."""
    w = world
    headers, body = _signed(w, w.a_integration_id, w.a_remote_company)
    client = w.app.test_client()  # no session, no token: the endpoint needs neither
    start = snapshot(w.app)
    for path in (f"/webhooks/autotask/{w.b_integration_id}",
                 f"/webhooks/itglue_stub/{w.b_integration_id}",
                 f"/webhooks/autotask/{MISSING_ID}"):  # fmt: skip
        answer = client.post(path, data=body, headers=headers)
        assert answer.status_code in (401, 404), (path, answer.status_code)
        assert answer.json and set(answer.json) == {"message"}
        _no_leak(w, answer, path)
    refused = client.post(f"/webhooks/autotask/{w.b_integration_id}", data=body, headers=headers)
    assert refused.status_code == 401
    assert refused.json == {"message": "invalid or missing signature"}
    assert snapshot(w.app) == start
    # The same delivery to A's own integration is accepted: the refusal was the signature's.
    accepted = client.post(f"/webhooks/autotask/{w.a_integration_id}", data=body, headers=headers)
    assert accepted.status_code == 202, accepted.json
    with w.app.app_context():
        stored = db.session.scalars(select(WebhookDelivery)).all()
        assert [(d.integration_id, d.remote_id) for d in stored] == [
            (w.a_integration_id, w.a_remote_company)
        ]
