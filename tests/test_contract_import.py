"""Contract import through the JSON API, on a synced Autotask sandbox (SQLite and PostgreSQL).

"Sync from PSA" lists a company's remote contracts with new/changed marks
and per-field diffs; importing makes read-only hub contracts with their
services, cost, vendor and covered CIs; "Copy to local" makes an editable
copy; contracts deleted or deactivated in the PSA are flagged, not dropped.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from flask import Flask
from hub_autotask.sandbox import Sandbox
from sqlalchemy import select

from hub.extensions import db
from hub.models import Asset, Company
from hub.worker import run_worker
from tests.test_api_integrations import Api, make_token


def _company_with_contracts(app: Flask, sb: Sandbox) -> tuple[int, dict[str, Any]]:
    """Return a hub company and one of its active managed-services contracts with CIs."""
    services = sb.records("ContractServices")
    cis = sb.records("ConfigurationItems")
    with app.app_context():
        companies = {c.remote_id: c.id for c in db.session.scalars(select(Company)) if c.remote_id}
    for contract in sb.records("Contracts"):
        if (
            str(contract["companyID"]) in companies
            and contract["status"] == 1
            and any(s["contractID"] == contract["id"] for s in services)
            and any(c["contractID"] == contract["id"] and c["isActive"] for c in cis)
        ):
            return companies[str(contract["companyID"])], contract
    raise AssertionError("the sandbox has no suitable contract")


def _sync(app: Flask, api: Api) -> None:
    started = api.post("/integrations/autotask/sync", {})
    assert started.status_code == 202, started.json
    run_worker(app, burst=True)
    assert api.get(f"/runs/{started.json['run']['id']}").json["status"] == "succeeded"


def _listing(api: Api, company_id: int, services: bool = False) -> dict[str, Any]:
    answer = api.get(f"/companies/{company_id}/contracts/psa?services={str(services).lower()}")
    assert answer.status_code == 200, answer.json
    return answer.json


def _patch(api: Api, path: str, body: dict[str, Any]) -> Any:
    return api.client.patch("/api/v1" + path, json=body, headers=api.headers)


def test_import_marks_diffs_read_only_and_copy(app: Flask, synced: Api, sandbox: Sandbox) -> None:
    company_id, remote = _company_with_contracts(app, sandbox)
    key = f"contract:{remote['id']}"
    listed = {i["key"]: i for i in _listing(synced, company_id)["items"]}
    assert listed[key]["mark"] == "new" and listed[key]["hub_contract_id"] is None
    assert all(i["mark"] == "new" for i in listed.values())

    done = synced.post(f"/companies/{company_id}/contracts/psa/import", {"selected": [key]})
    assert done.status_code == 200, done.json
    assert done.json["created"] == 1
    contract_id = done.json["contract_ids"][0]
    hub = synced.get(f"/contracts/{contract_id}").json
    assert hub["imported_from_psa"] and hub["import_source"] == "contract"
    assert hub["name"] == remote["contractName"] and hub["status"] == "Active"
    assert hub["contract_type"] == "Recurring Service" and hub["billing_cycle"] == "Monthly"
    assert hub["vendor_name"] == "MSP Managed Services" and hub["last_synced_at"]
    services = [s for s in sandbox.records("ContractServices") if s["contractID"] == remote["id"]]
    assert sorted(Decimal(s["unit_price"]) for s in hub["services"]) == sorted(
        Decimal(str(s["unitPrice"])) for s in services
    )
    cost = sum(Decimal(s["unit_price"]) * Decimal(s["units"]) for s in hub["services"])
    assert Decimal(hub["billing_cost"]) == cost > 0
    assert set(hub["read_only"]) >= {"name", "status", "start_date", "billing_cost"}

    # The CIs the PSA ties to the contract (or its services) and that are hub assets are linked.
    service_ids = {s["id"] for s in services}
    tied = {
        str(c["id"])
        for c in sandbox.records("ConfigurationItems")
        if c["contractID"] == remote["id"] or c["contractServiceID"] in service_ids
    }
    with app.app_context():
        expected = {
            a.id for a in db.session.scalars(select(Asset).where(Asset.remote_id.in_(tied)))
        }
    assert expected and {a["id"] for a in hub["assets"]} == expected

    others = {i["key"]: i for i in _listing(synced, company_id)["items"]}
    assert others[key]["mark"] == "imported"
    assert all(i["mark"] == "available" for k, i in others.items() if k != key)

    # Read-only in the hub: PSA fields answer 422 and change nothing; local fields change.
    refused = _patch(synced, f"/contracts/{contract_id}", {"name": "Renamed", "status": "Gone"})
    assert refused.status_code == 422
    assert "managed in the PSA" in str(refused.json["errors"]["name"])
    assert synced.get(f"/contracts/{contract_id}").json["name"] == remote["contractName"]
    assert _patch(synced, f"/contracts/{contract_id}", {"vendor_name": "Pax8"}).status_code == 200
    assert synced.put(f"/contracts/{contract_id}/services", {"services": []}).status_code == 422

    # Changed in the PSA: marked with a per-field diff; the hub contract waits for a sync.
    sandbox.update("Contracts", remote["id"], {"contractName": "Renewed contract"})
    first = services[0]
    sandbox.update("ContractServices", first["id"], {"unitPrice": first["unitPrice"] + 10})
    _sync(app, synced)
    changed = {i["key"]: i for i in _listing(synced, company_id)["items"]}[key]
    assert changed["mark"] == "changed"
    fields = {c["field"]: c for c in changed["changes"]}
    assert fields["name"]["hub"] == remote["contractName"]
    assert fields["name"]["psa"] == "Renewed contract"
    assert "services.unit_price" in fields and "billing_cost" in fields
    assert synced.get(f"/contracts/{contract_id}").json["name"] == remote["contractName"]

    again = synced.post(f"/companies/{company_id}/contracts/psa/import", {"selected": [key]})
    assert again.json["updated"] == 1
    hub = synced.get(f"/contracts/{contract_id}").json
    assert hub["name"] == "Renewed contract" and hub["vendor_name"] == "Pax8"
    assert {i["key"]: i for i in _listing(synced, company_id)["items"]}[key]["mark"] == "imported"

    # Copy to local: fully editable, services and assets copied, the original untouched.
    copy = synced.post(f"/contracts/{contract_id}/copy")
    assert copy.status_code == 201, copy.json
    local = copy.json
    assert not local["imported_from_psa"] and local["read_only"] == []
    assert local["copied_from_id"] == contract_id and len(local["assets"]) == len(hub["assets"])
    edited = _patch(synced, f"/contracts/{local['id']}", {"name": "Our terms", "status": "Draft"})
    assert edited.status_code == 200 and edited.json["name"] == "Our terms"
    priced = synced.put(
        f"/contracts/{local['id']}/services",
        {"services": [{"name": "Consulting", "unit_price": "100", "units": "3"}]},
    )
    assert priced.status_code == 200 and priced.json["billing_cost"] == "300.00"
    bad = _patch(synced, f"/contracts/{local['id']}", {"start_date": "not a date"})
    assert bad.status_code == 422 and "start_date" in bad.json["errors"]
    assert synced.get(f"/contracts/{contract_id}").json["name"] == "Renewed contract"


def test_a_service_imported_alone_becomes_its_own_contract(
    app: Flask, synced: Api, sandbox: Sandbox
) -> None:
    company_id, remote = _company_with_contracts(app, sandbox)
    listed = {i["key"]: i for i in _listing(synced, company_id, services=True)["items"]}
    service = listed[f"contract:{remote['id']}"]["services"][0]
    assert service["mark"] == "new"
    done = synced.post(
        f"/companies/{company_id}/contracts/psa/import", {"selected": [service["key"]]}
    )
    assert done.status_code == 200 and done.json["created"] == 1
    hub = synced.get(f"/contracts/{done.json['contract_ids'][0]}").json
    assert hub["import_source"] == "service" and len(hub["services"]) == 1
    assert hub["name"].startswith(service["values"]["name"])
    price = Decimal(service["values"]["unit_price"]) * Decimal(service["values"]["units"])
    assert Decimal(hub["billing_cost"]) == price
    listed = {i["key"]: i for i in _listing(synced, company_id, services=True)["items"]}
    parent = listed[f"contract:{remote['id']}"]
    assert parent["mark"] == "available"
    assert next(s for s in parent["services"] if s["key"] == service["key"])["mark"] == "imported"

    unknown = synced.post(
        f"/companies/{company_id}/contracts/psa/import", {"selected": ["contract:1"]}
    )
    assert unknown.status_code == 422 and "contract:1" in str(unknown.json["errors"])


def test_deleted_and_deactivated_contracts_are_flagged_not_dropped(
    app: Flask, synced: Api, sandbox: Sandbox
) -> None:
    company_id, remote = _company_with_contracts(app, sandbox)
    key = f"contract:{remote['id']}"
    done = synced.post(f"/companies/{company_id}/contracts/psa/import", {"selected": [key]})
    contract_id = done.json["contract_ids"][0]

    sandbox.update("Contracts", remote["id"], {"status": 0})
    started = synced.post("/integrations/autotask/contracts/sync")
    assert started.status_code == 202, started.json
    run_worker(app, burst=True)
    hub = synced.get(f"/contracts/{contract_id}").json
    assert hub["remote_flag"] == "deactivated" and hub["status"] == "Inactive"
    assert hub["remote_removed_at"]
    listed = {i["key"]: i for i in _listing(synced, company_id)["items"]}
    assert listed[key]["psa_state"] == "deactivated"

    sandbox.delete("Contracts", ids=[remote["id"]])
    synced.post("/integrations/autotask/contracts/sync")
    run_worker(app, burst=True)
    hub = synced.get(f"/contracts/{contract_id}").json
    assert hub["remote_flag"] == "deleted" and hub["name"] == remote["contractName"]
    listed = {i["key"]: i for i in _listing(synced, company_id)["items"]}
    assert listed[key]["psa_state"] == "deleted" and listed[key]["hub_contract_id"] == contract_id


def test_contracts_are_tenant_scoped(app: Flask, synced: Api, sandbox: Sandbox) -> None:
    company_id, remote = _company_with_contracts(app, sandbox)
    done = synced.post(
        f"/companies/{company_id}/contracts/psa/import",
        {"selected": [f"contract:{remote['id']}"]},
    )
    contract_id = done.json["contract_ids"][0]
    other = Api(synced.client, make_token(app, "other"))
    assert other.get(f"/contracts/{contract_id}").status_code == 404
    assert other.get(f"/companies/{company_id}/contracts").status_code == 404
    assert other.post(f"/contracts/{contract_id}/copy").status_code == 404
    overview = synced.get(f"/companies/{company_id}/contracts").json
    assert overview["psa"]["connector"] == "autotask" and overview["psa"]["mirror_synced_at"]
    assert [c["id"] for c in overview["contracts"]] == [contract_id]


@pytest.mark.parametrize("missing", ["/companies/999999/contracts", "/contracts/999999"])
def test_unknown_ids_answer_404(synced: Api, missing: str) -> None:
    assert synced.get(missing).status_code == 404


def test_hook_hub_contract_source(app: Flask) -> None:
    from hub.contracts.source import contract_setup
    from hub.integrations import configure_integration
    from hub.plugins import pm

    source = pm.hook.hub_contract_source(connector="autotask")
    assert source.asset_contract_field == "contractID"
    assert source.asset_service_field == "contractServiceID"
    assert source.labels["status"]["1"] == "Active" and source.active_statuses == ("1",)
    assert pm.hook.hub_contract_source(connector="itglue_stub") is None
    with app.app_context():
        from hub.tenancy import create_tenant

        acme = create_tenant("acme", "Acme", "admin@acme.test", "password1")
        integration = configure_integration(
            acme,
            "autotask",
            {"username": "u@x.test", "secret": "s", "integration_code": "c"},
            primary=True,
            enabled=True,
        )
        setup = contract_setup(integration)
        assert setup is not None and setup.company_field == "companyID"
        assert setup.refresh_streams() == [
            "contracts",
            "contract_services",
            "services",
            "contract_service_units",
            "configuration_items",
        ]
