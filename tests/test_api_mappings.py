"""The JSON API's mappings on a synced Autotask sandbox: companies, types, asset fields."""

from __future__ import annotations

from flask import Flask
from hub_autotask.sandbox import Sandbox
from sqlalchemy import func, select

from hub.extensions import db
from hub.models import Asset, Company, CompanyType, Contact, Integration
from hub.worker import run_worker
from tests.test_api_integrations import Api


def _apply(app: Flask) -> None:
    run_worker(app, burst=True)


def test_company_list_filters_and_proposals(app: Flask, synced: Api) -> None:
    every = synced.get("/integrations/autotask/companies?limit=1000").json
    assert every["remote_total"] == every["total"] > every["mapped"] > 0
    customer = next(t for t in every["types"] if t["label"] == "Customer")
    customers = synced.get(
        f"/integrations/autotask/companies?types={customer['value']}&limit=1000"
    ).json
    assert customers["items"] and all(i["type"]["label"] == "Customer" for i in customers["items"])
    unmapped = synced.get("/integrations/autotask/companies?mapped=unmapped&limit=1000").json
    assert unmapped["total"] == every["total"] - every["mapped"]
    assert all(i["mapped_to"] is None for i in unmapped["items"])
    inactive = synced.get("/integrations/autotask/companies?active=inactive&limit=1000").json
    assert all(not i["active"] for i in inactive["items"])
    bad = synced.get("/integrations/autotask/companies?active=maybe")
    assert bad.status_code == 422 and "active" in str(bad.json["errors"])

    # A hub-only company with a near name gets a fuzzy proposal; an exact one, exact.
    target = unmapped["items"][0]
    with app.app_context():
        tenant_id = db.session.scalar(select(Integration.tenant_id))
        db.session.add(Company(tenant_id=tenant_id, name=target["name"].upper() + "  "))
        db.session.add(Company(tenant_id=tenant_id, name=unmapped["items"][1]["name"] + " Ltd"))
        db.session.commit()
    listed = {
        i["remote_id"]: i
        for i in synced.get("/integrations/autotask/companies?mapped=unmapped&limit=1000").json[
            "items"
        ]
    }
    exact = listed[target["remote_id"]]["proposal"]
    assert exact["method"] == "exact" and exact["confidence"] == 1.0
    fuzzy = listed[unmapped["items"][1]["remote_id"]]["proposal"]
    assert fuzzy["method"] == "fuzzy" and 0.6 <= fuzzy["confidence"] < 1.0


def test_map_unmap_and_create_unmapped(app: Flask, synced: Api) -> None:
    base = "/integrations/autotask/companies"
    unmapped = synced.get(f"{base}?mapped=unmapped&limit=1000").json["items"]
    with app.app_context():
        tenant_id = db.session.scalar(select(Integration.tenant_id))
        ours = Company(tenant_id=tenant_id, name="Our own name", notes="local")
        db.session.add(ours)
        db.session.commit()
        ours_id = ours.id
    first = unmapped[0]
    done = synced.post(f"{base}/map", {"remote_id": first["remote_id"], "company_id": ours_id})
    assert done.status_code == 200, done.json
    _apply(app)
    with app.app_context():
        company = db.session.get(Company, ours_id)
        assert company.remote_id == first["remote_id"] and company.name == first["name"]
        assert company.notes == "local"
    mapped = synced.get(f"{base}?mapped=mapped&limit=1000").json
    assert first["remote_id"] in {i["remote_id"] for i in mapped["items"]}

    # Unmap: the hub company stays (hub-only) and is not re-created by the next apply.
    assert synced.post(f"{base}/unmap", {"remote_id": first["remote_id"]}).status_code == 200
    _apply(app)
    with app.app_context():
        assert db.session.get(Company, ours_id).mirror_id is None
        assert (
            db.session.scalar(select(Company).where(Company.remote_id == first["remote_id"]))
            is None
        )
    # Mapped ones stayed mapped after switching to explicit selection.
    assert synced.get(f"{base}?mapped=mapped").json["mapped"] == mapped["mapped"] - 1

    # Unmapping a company apply created takes it out of the hub, with its contacts.
    created = (
        mapped["items"][0]
        if mapped["items"][0]["remote_id"] != first["remote_id"]
        else (mapped["items"][1])
    )
    with app.app_context():
        hub_id = created["mapped_to"]["id"]
        assert not db.session.get(Company, hub_id).adopted
    gone = synced.post(f"{base}/unmap", {"remote_id": created["remote_id"]}).json
    assert gone["counts"] == {"unmapped": 1, "deleted": 1, "unlinked": 0}
    _apply(app)
    with app.app_context():
        assert db.session.get(Company, hub_id) is None
        assert not db.session.scalar(
            select(func.count()).select_from(Contact).where(Contact.company_id == hub_id)
        )
    unmapped = synced.get(f"{base}?mapped=unmapped&limit=1000").json["items"]

    made = synced.post(f"{base}/create-unmapped", {}).json
    assert made["counts"]["created"] + made["counts"]["linked"] == len(unmapped)
    _apply(app)
    assert synced.get(f"{base}?mapped=unmapped").json["total"] == 0

    missing = synced.post(f"{base}/map", {"remote_id": "nope", "company_id": ours_id})
    assert missing.status_code == 422 and "remote_id" in missing.json["errors"]
    foreign = synced.post(f"{base}/map", {"remote_id": first["remote_id"], "company_id": 10**6})
    assert foreign.status_code == 422 and "company_id" in foreign.json["errors"]


def test_picklist_maps(app: Flask, synced: Api) -> None:
    kinds = {p["kind"]: p for p in synced.get("/integrations/autotask/picklists").json}
    assert kinds["company_type"]["provided"] and kinds["asset_type"]["provided"]
    assert not kinds["asset_status"]["provided"]
    types = kinds["company_type"]
    assert all(r["mapped_to"] for r in types["remote"])
    with app.app_context():
        tenant_id = db.session.scalar(select(Integration.tenant_id))
        client_type = CompanyType(tenant_id=tenant_id, name="Client")
        db.session.add(client_type)
        db.session.commit()
        client_id = client_type.id
    customer = next(r for r in types["remote"] if r["label"] == "Customer")
    changed = synced.put(
        "/integrations/autotask/picklists/company_type", {"map": {customer["value"]: client_id}}
    )
    assert changed.status_code == 200, changed.json
    row = next(r for r in changed.json["remote"] if r["value"] == customer["value"])
    assert row["mapped_to"]["name"] == "Client" and row["how"] == "chosen"
    bad = synced.put("/integrations/autotask/picklists/company_type", {"map": {"999": 10**6}})
    assert bad.status_code == 422
    assert synced.get("/integrations/autotask/picklists/nope").status_code == 422
    made = synced.post("/integrations/autotask/picklists/asset_type/create-unmapped")
    assert made.status_code == 200 and made.json["counts"]["created"] == 0


def test_asset_fields_and_selection(app: Flask, synced: Api, sandbox: Sandbox) -> None:
    view = synced.get("/integrations/autotask/asset-fields").json
    names = {f["name"]: f for f in view["download"]}
    assert "serialNumber" in names and names["serialNumber"]["samples"]
    assert names["userDefinedFields.RAM"]["is_custom"]
    protected = names["userDefinedFields.Local Admin Password"]
    assert protected["is_protected"] and "protected" in protected["warning"]
    attrs = {m["attribute"]: m for m in view["map"]}
    assert attrs["name"]["required"] and attrs["purchase_date"]["sources"] == [
        "userDefinedFields.Purchase Date",
        "installDate",
    ]
    before = synced.get("/integrations/autotask/assets?limit=5").json["items"]
    calls = sandbox.stats()
    changed = synced.put(
        "/integrations/autotask/asset-fields",
        {"fields": {"name": ["serialNumber"], "notes": ["userDefinedFields.Local Admin Password"]}},
    )
    assert changed.status_code == 200, changed.json
    notes = next(m for m in changed.json["map"] if m["attribute"] == "notes")
    assert notes["warnings"] and notes["customised"]
    _apply(app)
    assert sandbox.stats() == calls  # re-mapping costs no API calls
    after = synced.get("/integrations/autotask/assets?limit=5").json["items"]
    assert [a["name"] for a in after] != [a["name"] for a in before]
    assert all(a["name"] == a["serial_number"] for a in after if a["serial_number"])
    bad = synced.put("/integrations/autotask/asset-fields", {"fields": {"name": ["nope"]}})
    assert bad.status_code == 422 and "name" in bad.json["errors"]
    bad = synced.put("/integrations/autotask/asset-fields", {"fields": {"colour": ["notes"]}})
    assert bad.status_code == 422

    with app.app_context():
        active = db.session.scalar(select(func.count()).select_from(Asset))
    everything = synced.put(
        "/integrations/autotask/asset-selection", {"statuses": "all", "companies": "mapped"}
    )
    assert everything.status_code == 200, everything.json
    _apply(app)
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Asset)) > active
    bad = synced.put("/integrations/autotask/asset-selection", {"statuses": ["1"]})
    assert bad.status_code == 422 and "statuses" in bad.json["errors"]


def test_a_chosen_type_is_used_by_companies(app: Flask, synced: Api) -> None:
    types = synced.get("/integrations/autotask/picklists/company_type").json
    customer = next(r for r in types["remote"] if r["label"] == "Customer")
    with app.app_context():
        tenant_id = db.session.scalar(select(Integration.tenant_id))
        client_type = CompanyType(tenant_id=tenant_id, name="Client")
        db.session.add(client_type)
        db.session.commit()
        client_id = client_type.id
    synced.put(
        "/integrations/autotask/picklists/company_type", {"map": {customer["value"]: client_id}}
    )
    _apply(app)
    with app.app_context():
        assert db.session.scalar(
            select(func.count()).select_from(Company).where(Company.type_id == client_id)
        )
