"""Hub records: the canonical data the product uses, each linked to its mirror row.

A record with ``mirror_id`` came from a connector (its remote-controlled
fields change only through apply); one without was created in the hub.
Fields listed in ``LOCAL_FIELDS`` belong to the hub and apply never touches them.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    Date,
    ForeignKey,
    Integer,
    Numeric,
    String,
    Text,
    false,
)
from sqlalchemy.orm import Mapped, mapped_column

from hub.extensions import Model
from hub.models.base import JSONType, TenantScoped, Timestamps, UTCDateTime


class Linked(TenantScoped, Timestamps):
    """Mixin: the integration and mirror row a hub record came from, if any."""

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    integration_id: Mapped[int | None] = mapped_column(
        Integer, ForeignKey("integrations.id", ondelete="SET NULL"), index=True
    )
    mirror_id: Mapped[int | None] = mapped_column(
        BigInteger().with_variant(Integer, "sqlite"),
        ForeignKey("mirror_records.id", ondelete="SET NULL"),
        unique=True,
    )
    remote_id: Mapped[str | None] = mapped_column(String(64))


class Picklist(Linked):
    """Mixin: a named value remote values are mapped to (types and statuses)."""

    name: Mapped[str] = mapped_column(String(200))


def _company_fk() -> Any:
    return mapped_column(Integer, ForeignKey("companies.id", ondelete="SET NULL"), index=True)


class CompanyType(Picklist, Model):
    """A kind of company: Customer, Prospect, Vendor, ..."""

    __tablename__ = "company_types"


class CompanyStatus(Picklist, Model):
    """A company status; ``is_active`` tells whether companies in it count as active."""

    __tablename__ = "company_statuses"

    is_active: Mapped[bool] = mapped_column(Boolean, default=True)


class AssetType(Picklist, Model):
    """A kind of asset: Workstation, Server, Firewall, ..."""

    __tablename__ = "asset_types"


class AssetStatus(Picklist, Model):
    """An asset status; ``is_active`` tells whether assets in it are in service."""

    __tablename__ = "asset_statuses"

    is_active: Mapped[bool] = mapped_column(Boolean, default=True)


class Company(Linked, Model):
    """A client (or other company) of the MSP."""

    __tablename__ = "companies"
    LOCAL_FIELDS = ("notes",)

    name: Mapped[str] = mapped_column(String(255))
    number: Mapped[str | None] = mapped_column(String(100))
    type_id: Mapped[int | None] = mapped_column(
        Integer, ForeignKey("company_types.id", ondelete="SET NULL")
    )
    status_id: Mapped[int | None] = mapped_column(
        Integer, ForeignKey("company_statuses.id", ondelete="SET NULL")
    )
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    phone: Mapped[str | None] = mapped_column(String(100))
    website: Mapped[str | None] = mapped_column(String(255))
    address: Mapped[str | None] = mapped_column(Text)
    city: Mapped[str | None] = mapped_column(String(100))
    state: Mapped[str | None] = mapped_column(String(100))
    postal_code: Mapped[str | None] = mapped_column(String(50))
    notes: Mapped[str | None] = mapped_column(Text)
    custom: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    # A hub company that existed before it was linked to a remote one (by the admin or by
    # exact name): when it leaves the selection it is only unlinked, never deleted.
    adopted: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())


class Contact(Linked, Model):
    """A person at a company."""

    __tablename__ = "contacts"

    company_id: Mapped[int | None] = _company_fk()
    first_name: Mapped[str | None] = mapped_column(String(100))
    last_name: Mapped[str | None] = mapped_column(String(100))
    email: Mapped[str | None] = mapped_column(String(254))
    phone: Mapped[str | None] = mapped_column(String(100))
    title: Mapped[str | None] = mapped_column(String(200))
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)


class Asset(Linked, Model):
    """A configuration item: a device, licence or service the MSP manages."""

    __tablename__ = "assets"
    LOCAL_FIELDS = ("local_notes",)
    # Apply leaves the warranty date alone while its source is not the PSA ("admin", "csv", ...).
    SOURCED_FIELDS = {"warranty_expiration_date": "warranty_source"}

    company_id: Mapped[int | None] = _company_fk()
    type_id: Mapped[int | None] = mapped_column(
        Integer, ForeignKey("asset_types.id", ondelete="SET NULL")
    )
    status_id: Mapped[int | None] = mapped_column(
        Integer, ForeignKey("asset_statuses.id", ondelete="SET NULL")
    )
    name: Mapped[str | None] = mapped_column(String(255))
    serial_number: Mapped[str | None] = mapped_column(String(255))
    hostname: Mapped[str | None] = mapped_column(String(255))
    manufacturer: Mapped[str | None] = mapped_column(String(255))
    model: Mapped[str | None] = mapped_column(String(255))
    os_type: Mapped[str | None] = mapped_column(String(255))
    ram: Mapped[str | None] = mapped_column(String(100))
    notes: Mapped[str | None] = mapped_column(Text)
    local_notes: Mapped[str | None] = mapped_column(Text)
    purchase_date: Mapped[date | None] = mapped_column(Date)
    install_date: Mapped[date | None] = mapped_column(Date)
    warranty_expiration_date: Mapped[date | None] = mapped_column(Date)
    warranty_source: Mapped[str | None] = mapped_column(String(50))
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    custom: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)


class Contract(Linked, Model):
    """A service contract with a company.

    An imported contract (``imported_from_psa``) came from a remote contract
    (``import_source == "contract"``) or from one remote contract service
    imported alone (``"service"``); its ``PSA_FIELDS`` change only through a
    contract sync. ``remote_flag`` says whether the PSA deleted or
    deactivated it since (flagged, never dropped).
    """

    __tablename__ = "contracts"
    PSA_FIELDS = (
        "name",
        "number",
        "status",
        "contract_type",
        "start_date",
        "end_date",
        "billing_cost",
        "billing_cycle",
    )

    company_id: Mapped[int | None] = _company_fk()
    name: Mapped[str] = mapped_column(String(255))
    number: Mapped[str | None] = mapped_column(String(100))
    status: Mapped[str | None] = mapped_column(String(50))
    contract_type: Mapped[str | None] = mapped_column(String(100))
    start_date: Mapped[date | None] = mapped_column(Date)
    end_date: Mapped[date | None] = mapped_column(Date)
    billing_cost: Mapped[Decimal | None] = mapped_column(Numeric(14, 2))
    billing_cycle: Mapped[str | None] = mapped_column(String(50))
    vendor_name: Mapped[str | None] = mapped_column(String(255))
    description: Mapped[str | None] = mapped_column(Text)
    imported_from_psa: Mapped[bool] = mapped_column(Boolean, default=False)
    remote_removed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    import_source: Mapped[str | None] = mapped_column(String(20))
    remote_flag: Mapped[str | None] = mapped_column(String(20))
    last_synced_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    copied_from_id: Mapped[int | None] = mapped_column(
        Integer, ForeignKey("contracts.id", ondelete="SET NULL")
    )


class ContractService(Linked, Model):
    """A service billed under a contract."""

    __tablename__ = "contract_services"

    contract_id: Mapped[int | None] = mapped_column(
        Integer, ForeignKey("contracts.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str | None] = mapped_column(String(255))
    unit_price: Mapped[Decimal | None] = mapped_column(Numeric(14, 2))
    unit_cost: Mapped[Decimal | None] = mapped_column(Numeric(14, 2))
    units: Mapped[Decimal | None] = mapped_column(Numeric(14, 2))
    service_remote_id: Mapped[str | None] = mapped_column(String(64))


class Opportunity(Linked, Model):
    """A sales opportunity with a company."""

    __tablename__ = "opportunities"

    company_id: Mapped[int | None] = _company_fk()
    title: Mapped[str] = mapped_column(String(255))
    status: Mapped[str | None] = mapped_column(String(50))
    stage: Mapped[str | None] = mapped_column(String(50))
    amount: Mapped[Decimal | None] = mapped_column(Numeric(14, 2))
    probability: Mapped[int | None] = mapped_column(Integer)
    projected_close_date: Mapped[date | None] = mapped_column(Date)
    closed_date: Mapped[date | None] = mapped_column(Date)


class Ticket(Linked, Model):
    """A service ticket."""

    __tablename__ = "tickets"

    company_id: Mapped[int | None] = _company_fk()
    asset_id: Mapped[int | None] = mapped_column(
        Integer, ForeignKey("assets.id", ondelete="SET NULL")
    )
    number: Mapped[str | None] = mapped_column(String(50))
    title: Mapped[str] = mapped_column(String(255))
    status: Mapped[str | None] = mapped_column(String(100))
    priority: Mapped[str | None] = mapped_column(String(100))
    opened_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    due_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class Project(Linked, Model):
    """A project for a company."""

    __tablename__ = "projects"

    company_id: Mapped[int | None] = _company_fk()
    contract_id: Mapped[int | None] = mapped_column(
        Integer, ForeignKey("contracts.id", ondelete="SET NULL")
    )
    name: Mapped[str] = mapped_column(String(255))
    number: Mapped[str | None] = mapped_column(String(50))
    status: Mapped[str | None] = mapped_column(String(100))
    start_date: Mapped[date | None] = mapped_column(Date)
    end_date: Mapped[date | None] = mapped_column(Date)
    completed_percentage: Mapped[int | None] = mapped_column(Integer)


HUB_MODELS: dict[str, type[Linked]] = {
    "company": Company,
    "company_type": CompanyType,
    "company_status": CompanyStatus,
    "contact": Contact,
    "asset": Asset,
    "asset_type": AssetType,
    "asset_status": AssetStatus,
    "contract": Contract,
    "contract_service": ContractService,
    "opportunity": Opportunity,
    "ticket": Ticket,
    "project": Project,
}
