"""Bulk writes: rows written through the driver read back as SQLAlchemy would have written them."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

from flask import Flask
from sqlalchemy import func, select

from hub.bulk_sql import insert_rows, update_rows, upsert_rows
from hub.extensions import db
from hub.integrations import configure_integration
from hub.models import Asset, Contract, MirrorRecord
from hub.tenancy import create_tenant

MOMENT = datetime(2026, 3, 4, 5, 6, 7, 89, tzinfo=UTC)


def test_inserted_rows_read_back_typed_with_python_defaults(app: Flask) -> None:
    with app.app_context():
        tenant = create_tenant("acme", "Acme", "a@acme.test", "password1")
        insert_rows(
            Asset.__table__,
            ["tenant_id", "name", "install_date", "created_at", "updated_at"],
            [(tenant.id, "PC-1", date(2025, 1, 31), MOMENT, MOMENT),
             (tenant.id, "PC-2", None, MOMENT, MOMENT)],
        )  # fmt: skip
        insert_rows(
            Contract.__table__,
            ["tenant_id", "name", "billing_cost", "remote_removed_at", "imported_from_psa"],
            [(tenant.id, "Managed", Decimal("1234.50"), MOMENT, True)],
        )
        db.session.commit()
        first, second = db.session.scalars(select(Asset).order_by(Asset.name)).all()
        assert (first.install_date, second.install_date) == (date(2025, 1, 31), None)
        assert first.created_at == MOMENT and first.updated_at == MOMENT
        # Left out: the columns' Python-side defaults, as an ORM insert gives them.
        assert (first.is_active, first.custom, first.mirror_id) == (True, {}, None)
        contract = db.session.scalars(select(Contract)).one()
        assert contract.billing_cost == Decimal("1234.50")
        assert contract.remote_removed_at == MOMENT and contract.imported_from_psa is True
        # Stored as SQLAlchemy stores them: its own comparisons still find the rows.
        assert db.session.scalar(select(func.count()).where(Asset.created_at >= MOMENT)) == 2
        assert db.session.scalar(select(func.count()).where(Asset.created_at > MOMENT)) == 0


def test_updates_by_id_and_upserts_on_the_unique_key(app: Flask) -> None:
    with app.app_context():
        tenant = create_tenant("acme", "Acme", "a@acme.test", "password1")
        integration = configure_integration(tenant, "itglue_stub", {"api_key": "ITG.k"})
        db.session.add(Asset(tenant_id=tenant.id, name="old", custom={"a": 1}))
        db.session.commit()
        asset = db.session.scalars(select(Asset)).one()
        update_rows(Asset.__table__, ("name", "custom"), [("new", {"RAM": "16 GB"}, asset.id)])
        columns = ("tenant_id", "integration_id", "stream", "remote_id", "data", "changed_at",
                   "content_hash", "pulled_at")  # fmt: skip
        row = (tenant.id, integration.id, "things", "7")
        for data, digest in (({"id": 7}, "h1"), ({"id": 7, "name": "x"}, "h2")):
            upsert_rows(
                MirrorRecord.__table__,
                columns,
                [(*row, data, None, digest, MOMENT)],
                conflict=("integration_id", "stream", "remote_id"),
                update=("data", "content_hash"),
            )
        db.session.commit()
        db.session.expire_all()
        assert (asset.name, asset.custom) == ("new", {"RAM": "16 GB"})
        mirror = db.session.scalars(select(MirrorRecord)).all()
        assert [(m.data, m.content_hash, m.pulled_at) for m in mirror] == [
            ({"id": 7, "name": "x"}, "h2", MOMENT)
        ]
