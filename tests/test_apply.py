"""Apply: the mirror becomes hub records by the connector's defaults and the admin's overrides."""

from __future__ import annotations

import pytest
from flask import Flask
from hub_itglue_stub import dataset
from sqlalchemy import select

from hub.apply.engine import apply_integration
from hub.extensions import db
from hub.integrations import configure_integration
from hub.jobs import request_sync
from hub.models import Asset, Company, CompanyType, Contact, Integration, MirrorRecord
from hub.sync.mirror import mark_deleted
from hub.tenancy import create_tenant
from hub.worker import run_worker


@pytest.fixture
def synced(app: Flask) -> Integration:
    """An IT Glue integration whose mirror is filled (apply already ran once)."""
    dataset.reset()
    with app.app_context():
        tenant = create_tenant("acme", "Acme", "a@acme.test", "password1")
        integration = configure_integration(tenant, "itglue_stub", {"api_key": "ITG.k"})
        db.session.add(Company(tenant_id=tenant.id, name="  ACME dental   group", notes="ours"))
        db.session.commit()
        request_sync(integration)
    run_worker(app, burst=True)
    with app.app_context():
        return db.session.get(Integration, integration.id)


def _orgs() -> list[dict]:
    return dataset.records("organizations")


def test_defaults_import_active_customers_their_contacts_and_active_assets(
    app: Flask, synced: Integration
) -> None:
    with app.app_context():
        companies = db.session.scalars(select(Company)).all()
        wanted = {
            o["id"] for o in _orgs()
            if o["organization-type-name"] == "Customer"
            and o["organization-status-name"] == "Active"
        }  # fmt: skip
        assert {c.remote_id for c in companies} == wanted
        assert {t.name for t in db.session.scalars(select(CompanyType))} >= {"Customer", "Vendor"}
        contacts = db.session.scalars(select(Contact)).all()
        assert contacts and all(c.company_id is not None for c in contacts)
        assets = db.session.scalars(select(Asset)).all()
        active = {
            c["id"] for c in dataset.records("configurations")
            if c["configuration-status-name"] == "Active" and str(c["organization-id"]) in wanted
        }  # fmt: skip
        assert {a.remote_id for a in assets} == active
        one = next(a for a in assets if a.serial_number)
        source = next(c for c in dataset.records("configurations") if c["id"] == one.remote_id)
        assert one.serial_number == source["serial-number"]
        assert one.hostname == source["hostname"]


def test_exact_name_match_links_the_existing_company_and_keeps_local_fields(
    app: Flask, synced: Integration
) -> None:
    with app.app_context():
        acme = db.session.scalar(select(Company).where(Company.notes == "ours"))
        assert acme is not None and acme.remote_id == "92111"
        assert acme.name == "Acme Dental Group"  # the PSA controls the name
        assert db.session.query(Company).filter(Company.remote_id == "92111").count() == 1


def test_a_second_apply_changes_nothing(app: Flask, synced: Integration) -> None:
    with app.app_context():
        counts = apply_integration(synced.id)
        assert all(c["created"] == 0 and c["updated"] == 0 for c in counts.values()), counts
        assert counts["company"]["unchanged"] > 0


def test_a_field_map_change_reapplies_without_api_calls(app: Flask, synced: Integration) -> None:
    with app.app_context():
        integration = db.session.get(Integration, synced.id)
        integration.options = {"apply": {"fields": {"asset": {"notes": [["asset-tag", False]]}}}}
        db.session.commit()
        counts = apply_integration(synced.id, ["asset"])
        assert counts["asset"]["updated"] > 0
        asset = db.session.scalar(select(Asset).where(Asset.remote_id.is_not(None)).limit(1))
        source = next(c for c in dataset.records("configurations") if c["id"] == asset.remote_id)
        assert asset.notes == source["asset-tag"]


def test_selection_override_and_include(app: Flask, synced: Integration) -> None:
    vendor = next(o for o in _orgs() if o["organization-type-name"] == "Vendor")
    with app.app_context():
        integration = db.session.get(Integration, synced.id)
        integration.options = {"apply": {"include": {"company": [vendor["id"]]}}}
        db.session.commit()
        apply_integration(synced.id, ["company"])
        assert db.session.scalar(select(Company).where(Company.remote_id == vendor["id"]))


def test_remote_deletes_leave_the_hub(app: Flask, synced: Integration) -> None:
    with app.app_context():
        contact_id, remote_id = db.session.execute(select(Contact.id, Contact.remote_id)).first()
        mark_deleted(synced, "contacts", [remote_id])
        db.session.commit()
        counts = apply_integration(synced.id, ["contact"])
        assert counts["contact"]["deleted"] == 1
        db.session.expire_all()
        assert db.session.get(Contact, contact_id) is None


def test_bad_values_are_reported_and_the_rest_applied(app: Flask, synced: Integration) -> None:
    with app.app_context():
        row = db.session.scalar(
            select(MirrorRecord).where(
                MirrorRecord.stream == "configurations",
                MirrorRecord.remote_id.in_(select(Asset.remote_id)),
            )
        )
        row.data = {**row.data, "warranty-expires-at": "not a date", "hostname": "x" * 400}
        db.session.commit()
        from hub.apply.engine import Applier

        applier = Applier(db.session.get(Integration, synced.id))
        result = applier.run(["asset"])["asset"]
        messages = [m for rid, m in result.errors if rid == row.remote_id]
        assert any("warranty_expiration_date" in m and "not a date" in m for m in messages)
        assert any("hostname" in m and "cut" in m for m in messages)
        asset = db.session.scalar(select(Asset).where(Asset.mirror_id == row.id))
        assert asset.warranty_expiration_date is None and len(asset.hostname) == 255


def test_after_a_sync_only_what_was_pulled_is_applied(app: Flask, synced: Integration) -> None:
    config = dataset.records("configurations")
    active = next(c for c in config if c["configuration-status-name"] == "Active")
    changes = {"hostname": "renamed-host", "updated-at": "2099-01-01T00:00:00Z"}
    dataset.update("configurations", active["id"], changes)
    with app.app_context():
        run, _ = request_sync(db.session.get(Integration, synced.id))
    run_worker(app, burst=True)
    with app.app_context():
        from hub.models import SyncRun

        applied = db.session.get(SyncRun, run.id).applied
        # Only the changed configuration was read again (others count as nothing at all).
        assert applied["asset"]["updated"] + applied["asset"]["skipped"] == 1
        assert applied["company"] == {"created": 0, "updated": 0, "unchanged": 0, "deleted": 0,
                                      "skipped": 0, "errors": 0}  # fmt: skip


def test_a_mapping_change_makes_the_next_apply_full(app: Flask, synced: Integration) -> None:
    with app.app_context():
        integration = db.session.get(Integration, synced.id)
        fields = {"asset": {"notes": [["asset-tag", False]]}}
        integration.options = {**integration.options, "apply": {"fields": fields}}
        db.session.commit()
        from hub.models.base import utcnow
        from hub.sync.runner import apply_integration as run_apply

        counts = run_apply(synced.id, changed_since=utcnow())
        assert counts["asset"]["updated"] > 0  # the whole mirror was read again
