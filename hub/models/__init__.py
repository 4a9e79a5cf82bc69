"""SQLAlchemy models: tenancy, integrations, the mirror, sync runs and hub records."""

from __future__ import annotations

from hub.models.contract_links import ContractAsset, ContractImportState
from hub.models.integration import Integration, StreamState
from hub.models.mirror import MirrorField, MirrorRecord
from hub.models.notices import Notice
from hub.models.records import (
    HUB_MODELS,
    Asset,
    AssetStatus,
    AssetType,
    Company,
    CompanyStatus,
    CompanyType,
    Contact,
    Contract,
    ContractService,
    Opportunity,
    Project,
    Ticket,
)
from hub.models.runs import PullCursor, RecordError, RunEvent, StreamRun, SyncRun
from hub.models.schedules import SyncSchedule
from hub.models.tenancy import ApiToken, Tenant, User
from hub.models.webhooks import WebhookDelivery, WebhookSubscription
from hub.models.writeback import WritebackEntry, WritebackRun

__all__ = [
    "HUB_MODELS",
    "ApiToken",
    "Asset",
    "AssetStatus",
    "AssetType",
    "Company",
    "CompanyStatus",
    "CompanyType",
    "Contact",
    "Contract",
    "ContractAsset",
    "ContractImportState",
    "ContractService",
    "Integration",
    "MirrorField",
    "MirrorRecord",
    "Notice",
    "Opportunity",
    "Project",
    "PullCursor",
    "RecordError",
    "RunEvent",
    "StreamRun",
    "StreamState",
    "SyncRun",
    "SyncSchedule",
    "Tenant",
    "Ticket",
    "User",
    "WebhookDelivery",
    "WebhookSubscription",
    "WritebackEntry",
    "WritebackRun",
]
