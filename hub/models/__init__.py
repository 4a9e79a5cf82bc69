"""SQLAlchemy models: tenancy, integrations, the mirror, sync runs and hub records."""

from __future__ import annotations

from hub.models.integration import Integration, StreamState
from hub.models.mirror import MirrorRecord
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
from hub.models.tenancy import ApiToken, Tenant, User

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
    "ContractService",
    "Integration",
    "MirrorRecord",
    "Opportunity",
    "Project",
    "PullCursor",
    "RecordError",
    "RunEvent",
    "StreamRun",
    "StreamState",
    "SyncRun",
    "Tenant",
    "Ticket",
    "User",
]
