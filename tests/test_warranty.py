"""Warranty dates from outside the PSA: a lookup plugin, CSV imports, admin entries."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

import pytest
from flask import Flask
from flask.testing import FlaskClient

from hub import plugins
from hub.extensions import db
from hub.models import Asset, Tenant
from hub.tenancy import create_tenant
from hub.warranty.csv_import import import_csv
from hub.warranty.lookup import lookup_warranties
from tests.warranty_plugin import NAME, WarrantyLookupPlugin


@pytest.fixture
def lookup_plugin() -> Iterator[WarrantyLookupPlugin]:
    """The test lookup plugin, registered for the test only."""
    plugin = WarrantyLookupPlugin()
    plugins.register_plugin(plugin, NAME)
    try:
        yield plugin
    finally:
        plugins.unregister_plugin(NAME)


def _tenant_with_assets(slug: str, serials: list[str | None]) -> tuple[Tenant, list[int]]:
    tenant = create_tenant(slug, slug.title(), f"admin@{slug}.test", "password1")
    assets = [
        Asset(tenant_id=tenant.id, name=f"PC {i}", serial_number=s, manufacturer="Dell Inc.")
        for i, s in enumerate(serials)
    ]
    db.session.add_all(assets)
    db.session.commit()
    return tenant, [a.id for a in assets]


def test_hook_hub_warranty_lookup(app: Flask, lookup_plugin: WarrantyLookupPlugin) -> None:
    """The first plugin's answer becomes the date, recorded as lookup:<provider>."""
    with app.app_context():
        tenant, ids = _tenant_with_assets("acme", ["DELL-7", "HP-1", None, "DELL-BROKEN"])
        result = lookup_warranties(tenant.id)
        assert (result.found, result.not_found) == (1, 2)
        assert result.errors == [(ids[3], "PC 3: the Dell warranty API did not answer "
                                  "(timed out after 10 s)")]  # fmt: skip
        found = db.session.get(Asset, ids[0])
        assert found is not None
        assert (found.warranty_expiration_date, found.warranty_source) == (
            date(2031, 1, 7),
            "lookup:dell",
        )
        other = db.session.get(Asset, ids[1])
        assert other is not None and other.warranty_expiration_date is None
        assert "HP-1" in lookup_plugin.asked


def test_lookup_keeps_dates_admins_entered(app: Flask, lookup_plugin: WarrantyLookupPlugin) -> None:
    with app.app_context():
        tenant, ids = _tenant_with_assets("acme", ["DELL-7"])
        import_csv(tenant.id, f"asset_id,warranty_expiration_date\n{ids[0]},2029-05-05\n")
        assert lookup_warranties(tenant.id).kept == 1
        asset = db.session.get(Asset, ids[0])
        assert asset is not None and asset.warranty_expiration_date == date(2029, 5, 5)
        lookup_warranties(tenant.id, overwrite=True)
        db.session.refresh(asset)
        assert asset.warranty_source == "lookup:dell"


def test_csv_import_reports_every_bad_row_and_imports_nothing(app: Flask) -> None:
    with app.app_context():
        tenant, ids = _tenant_with_assets("acme", ["SN-1", "SN-2", "DUP", "DUP"])
        _, other_ids = _tenant_with_assets("other", ["SN-9"])
        text = (
            "serial_number,asset_id,warranty_expiration_date\n"
            "SN-1,,2030-01-31\n"
            "SN-2,,31/01/2030\n"
            "NOPE,,2030-01-31\n"
            "DUP,,2030-01-31\n"
            f",{other_ids[0]},2030-01-31\n"
            ",,2030-01-31\n"
        )
        result = import_csv(tenant.id, text)
        assert not result.applied and result.imported == 0
        assert result.errors == [
            (3, "warranty_expiration_date: '31/01/2030' is not a date (use YYYY-MM-DD)"),
            (4, "there is no asset with serial number 'NOPE'"),
            (5, "2 assets have serial number 'DUP': use asset_id instead"),
            (6, f"there is no asset with asset id '{other_ids[0]}'"),
            (7, "names no asset: fill one of asset_id, serial_number, remote_id"),
        ]
        untouched = db.session.get(Asset, ids[0])
        assert untouched is not None and untouched.warranty_expiration_date is None
        partial = import_csv(tenant.id, text, partial=True)
        assert partial.applied and partial.imported == 1
        db.session.refresh(untouched)
        assert (untouched.warranty_expiration_date, untouched.warranty_source) == (
            date(2030, 1, 31),
            "csv",
        )


def test_csv_without_the_needed_columns_is_refused(app: Flask, client: FlaskClient) -> None:
    from tests.test_writeback import api_token

    with app.app_context():
        tenant, _ = _tenant_with_assets("acme", ["SN-1"])
        token = api_token(tenant.id)
    answer = client.post(
        "/api/v1/warranties/import",
        json={"csv": "name,date\nPC,2030-01-01\n"},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert answer.status_code == 422
    assert "the header needs one of the columns asset_id" in answer.get_json()["message"]


def test_admin_enters_a_date_on_the_warranties_page(app: Flask, client: FlaskClient) -> None:
    with app.app_context():
        _, ids = _tenant_with_assets("acme", ["SN-1"])
    from tests.test_web_pages import login

    login(client)
    page = client.get("/warranties")
    assert b"SN-1" in page.data
    from tests.test_writeback import csrf_of

    token = csrf_of(page.data)
    bad = client.post(
        "/warranties",
        data={"csrf_token": token, "action": "set", "asset_id": ids[0], "date": "2030-02-30"},
        follow_redirects=True,
    )
    assert b"is not a date" in bad.data
    good = client.post(
        "/warranties",
        data={"csrf_token": token, "action": "set", "asset_id": ids[0], "date": "2030-02-28"},
        follow_redirects=True,
    )
    assert b"entered by an admin" in good.data
    with app.app_context():
        asset = db.session.get(Asset, ids[0])
        assert asset is not None and asset.warranty_expiration_date == date(2030, 2, 28)
