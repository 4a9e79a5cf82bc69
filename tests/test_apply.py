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
from hub.models import (
    Asset,
    AssetType,
    Company,
    CompanyType,
    Contact,
    Integration,
    MirrorRecord,
)
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
        integration_id = integration.id
        request_sync(integration)
    run_worker(app, burst=True)
    with app.app_context():
        return db.session.get(Integration, integration_id)


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


@pytest.mark.parametrize("case", ["a quote in the name", "a dot in the name", "100 fallbacks"])
def test_fields_the_database_cannot_extract_are_read_from_whole_records(
    app: Flask, synced: Integration, case: str
) -> None:
    """Apply extracts mapped fields in SQL; names a JSON path cannot hold still work."""
    with app.app_context():
        made = db.session.scalar(select(Asset).where(Asset.mirror_id.is_not(None)).limit(1))
        row = db.session.get(MirrorRecord, made.mirror_id)
        name = "notes.text" if case == "a dot in the name" else 'asset "tag"'
        row.data = {**row.data, name: "found it"}
        integration = db.session.get(Integration, synced.id)
        before = [[f"extra-{i}", False] for i in range(100)] if case == "100 fallbacks" else []
        integration.options = {"apply": {"fields": {"asset": {"notes": [*before, [name, False]]}}}}
        db.session.commit()
        apply_integration(synced.id, ["asset"])
        asset = db.session.scalar(select(Asset).where(Asset.mirror_id == row.id))
        assert asset is not None and asset.notes == "found it"


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
        assert any("Warranty expiration date" in m and "not a date" in m for m in messages)
        assert any("Hostname" in m and "cut" in m for m in messages)
        asset = db.session.scalar(select(Asset).where(Asset.mirror_id == row.id))
        assert asset.warranty_expiration_date is None and len(asset.hostname) == 255


def test_a_picklist_value_the_remote_does_not_list_is_reported(
    app: Flask, synced: Integration
) -> None:
    """The company stays, untyped, and the run's errors say which value was unknown."""
    with app.app_context():
        row = db.session.scalar(
            select(MirrorRecord).where(
                MirrorRecord.stream == "organizations",
                MirrorRecord.remote_id.in_(select(Company.remote_id)),
            )
        )
        row.data = {**row.data, "organization-type-id": 999999}
        db.session.commit()
        from hub.apply.engine import Applier

        result = Applier(db.session.get(Integration, synced.id)).run(["company"])["company"]
        assert [m for rid, m in result.errors if rid == row.remote_id] == [
            "Type (from organization-type-id) '999999' is not a known company type value: "
            "left empty"
        ]
        company = db.session.scalar(select(Company).where(Company.mirror_id == row.id))
        assert company is not None and company.type_id is None
        # Companies whose type the remote lists say nothing about it.
        assert all("is not a known" not in m for rid, m in result.errors if rid != row.remote_id)


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
                                      "unlinked": 0, "skipped": 0, "errors": 0}  # fmt: skip


def test_a_mapping_change_makes_the_next_apply_full(app: Flask, synced: Integration) -> None:
    with app.app_context():
        integration = db.session.get(Integration, synced.id)
        fields = {"asset": {"notes": [["asset-tag", False]]}}
        integration.options = {**integration.options, "apply": {"fields": fields}}
        db.session.commit()
        from hub.apply.engine import apply_integration as run_apply
        from hub.models.base import utcnow

        counts = run_apply(synced.id, changed_since=utcnow())
        assert counts["asset"]["updated"] > 0  # the whole mirror was read again


def _set_apply(integration_id: int, **apply: object) -> None:
    integration = db.session.get(Integration, integration_id)
    integration.options = {**(integration.options or {}), "apply": apply}
    db.session.commit()


def _state() -> dict[str, object]:
    return {
        "companies": {c.remote_id: c.name for c in db.session.scalars(select(Company))},
        "contacts": set(db.session.scalars(select(Contact.remote_id))),
        "assets": set(db.session.scalars(select(Asset.remote_id))),
    }


def test_narrowing_the_company_selection_removes_what_apply_made_and_widening_restores_it(
    app: Flask, synced: Integration
) -> None:
    with app.app_context():
        before = _state()
        acme = db.session.scalar(select(Company).where(Company.notes == "ours"))
        assert acme.adopted  # linked by its exact name: it existed in the hub before
        kept = db.session.scalar(
            select(Company).where(Company.remote_id != acme.remote_id, Company.adopted.is_(False))
        )
        kept.notes = "local note"
        kept_asset = db.session.scalar(select(Asset).where(Asset.company_id == kept.id))
        kept_asset.local_notes = "ours too"
        db.session.commit()
        kept_id, kept_remote, acme_id = kept.id, kept.remote_id, acme.id

        # Only one company stays selected.
        _set_apply(synced.id, select={"company": {"id": []}}, include={"company": [kept_remote]})
        counts = apply_integration(synced.id)
        db.session.expire_all()
        assert counts["company"]["deleted"] == len(before["companies"]) - 2
        assert counts["company"]["unlinked"] == 1
        assert {c.remote_id for c in db.session.scalars(select(Company))} == {kept_remote, None}
        acme = db.session.get(Company, acme_id)  # adopted: unlinked, never deleted
        assert acme is not None and acme.mirror_id is None and acme.notes == "ours"
        assert not acme.adopted and acme.integration_id is None
        kept = db.session.get(Company, kept_id)
        assert kept.notes == "local note"
        assert {c.company_id for c in db.session.scalars(select(Contact))} == {kept_id}
        assets = db.session.scalars(select(Asset)).all()
        assert assets and {a.company_id for a in assets} == {kept_id}
        assert db.session.get(Asset, kept_asset.id).local_notes == "ours too"
        assert counts["contact"]["deleted"] > 0 and counts["asset"]["deleted"] > 0

        # A second apply has nothing left to remove.
        again = apply_integration(synced.id)
        assert all(c["deleted"] == 0 and c["unlinked"] == 0 for c in again.values()), again

        # Widening brings everything back; the adopted company is found again by name.
        _set_apply(synced.id)
        apply_integration(synced.id)
        db.session.expire_all()
        assert _state() == before
        acme = db.session.get(Company, acme_id)
        assert acme.remote_id is not None and acme.adopted and acme.notes == "ours"
        assert db.session.get(Company, kept_id).notes == "local note"


def test_narrowing_the_asset_selection_removes_assets_and_keeps_local_fields(
    app: Flask, synced: Integration
) -> None:
    with app.app_context():
        before = _state()
        types = {
            c["configuration-type-id"]: c["configuration-type-name"]
            for c in dataset.records("configurations")
        }
        one_type = sorted(types)[0]
        assets = db.session.scalars(select(Asset)).all()
        wanted = {
            c["id"] for c in dataset.records("configurations")
            if c["id"] in before["assets"] and c["configuration-type-id"] == one_type
        }  # fmt: skip
        assert wanted and wanted != before["assets"]
        stays = next(a for a in assets if a.remote_id in wanted)
        stays.local_notes = "checked on site"
        db.session.commit()
        select_assets = {"configuration-status-name": ["Active"],
                         "configuration-type-id": [one_type]}  # fmt: skip
        _set_apply(synced.id, select={"asset": select_assets})
        counts = apply_integration(synced.id)
        db.session.expire_all()
        assert set(db.session.scalars(select(Asset.remote_id))) == wanted
        assert counts["asset"]["deleted"] == len(before["assets"]) - len(wanted)
        assert db.session.get(Asset, stays.id).local_notes == "checked on site"
        assert _state()["companies"] == before["companies"]

        _set_apply(synced.id)
        apply_integration(synced.id)
        db.session.expire_all()
        assert _state() == before
        assert db.session.get(Asset, stays.id).local_notes == "checked on site"


def test_a_type_mapped_to_another_hub_value_drops_the_one_made_from_it(
    app: Flask, synced: Integration
) -> None:
    with app.app_context():
        tenant_id = synced.tenant_id
        ours = AssetType(tenant_id=tenant_id, name="Our devices")
        db.session.add(ours)
        db.session.commit()
        made = db.session.scalar(select(AssetType).where(AssetType.mirror_id.is_not(None)))
        made_id, remote = made.id, made.remote_id
        users = set(db.session.scalars(select(Asset.id).where(Asset.type_id == made_id)))
        assert users
        _set_apply(synced.id, values={"configuration_types": {remote: ours.id}})
        counts = apply_integration(synced.id)
        db.session.expire_all()
        assert counts["asset_type"]["deleted"] == 1
        assert db.session.get(AssetType, made_id) is None
        assert set(db.session.scalars(select(Asset.id).where(Asset.type_id == ours.id))) == users

        _set_apply(synced.id)
        apply_integration(synced.id)
        db.session.expire_all()
        again = db.session.scalar(select(AssetType).where(AssetType.remote_id == remote))
        assert again is not None and again.id != ours.id
        assert {
            a.type_id for a in db.session.scalars(select(Asset).where(Asset.id.in_(users)))
        } == {again.id}


def test_an_unmapped_yes_no_field_takes_its_default_and_says_so(
    app: Flask, synced: Integration
) -> None:
    with app.app_context():
        before = set(db.session.scalars(select(Asset.remote_id)))
        _set_apply(synced.id, fields={"company": {"is_active": []}})
        from hub.apply.engine import Applier

        result = Applier(db.session.get(Integration, synced.id)).run(["company"])["company"]
        assert result.errors and all("Is active is missing" in m for _, m in result.errors)
        assert all(c.is_active for c in db.session.scalars(select(Company)))
        assert set(db.session.scalars(select(Asset.remote_id))) == before
