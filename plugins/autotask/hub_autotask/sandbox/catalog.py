"""The entities the sandbox models, declared as data.

Each :class:`EntitySpec` names the Swagger model the records follow, the
change field an incremental sync watches, how the entity is reached (top
level or only through a parent), which integer fields are picklists or
references, what a write must carry, and which webhook entity reports it.
Field names and types come from ``swagger.json``; this module only adds the
tenant's business rules on top.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache

from hub_autotask.sandbox import swagger


@dataclass(frozen=True)
class ParentLink:
    """How a child entity hangs under its parent in URLs and on records."""

    parent: str  # parent entity name, e.g. "Companies"
    segment: str  # URL segment under the parent, e.g. "Contacts"
    field: str  # field on the child holding the parent id, e.g. "companyID"


@dataclass(frozen=True)
class EntitySpec:
    """Business rules of one modeled entity."""

    name: str
    model: str
    singular: str
    change_field: str | None = None
    parent: ParentLink | None = None
    required: tuple[str, ...] = ()
    read_only: tuple[str, ...] = ()
    picklists: dict[str, str] = field(default_factory=dict)
    lengths: dict[str, int] = field(default_factory=dict)
    touch_field: str | None = None
    webhook_entity: str | None = None
    webhook_target: str | None = None  # for <X>Webhooks / <X>WebhookFields: the watched entity
    also_bumped: tuple[str, ...] = ()  # extra date-times set to "now" by every write

    @property
    def fields(self) -> tuple[tuple[str, str, str | None], ...]:
        """Return ``(name, type, format)`` of the model's real properties."""
        return swagger.model_fields(self.model)

    @property
    def has_udfs(self) -> bool:
        """Return whether records carry ``userDefinedFields``."""
        return swagger.model_has_udfs(self.model)


#: Fields no API write may set on any entity (silently ignored, like Autotask).
READ_ONLY_FIELDS = frozenset(
    {
        "id",
        "createDate",
        "createDateTime",
        "createdTime",
        "createdByResourceID",
        "createdByPersonID",
        "creatorResourceID",
        "impersonatorCreatorResourceID",
        "apiVendorID",
        "lastActivityDate",
        "lastActivityPersonID",
        "lastActivityPersonType",
        "lastActivityResourceID",
        "lastTrackedModifiedDateTime",
        "lastModifiedDate",
        "lastModifiedTime",
        "lastModifiedDateTime",
        "lastActivity",
        "lastTrackedModificationDateTime",
        "lastActivityDateTime",
        "ticketNumber",
        "contactName",
        "surveyCompanyRating",
        "updateResourceID",
        "isReady",
        "webhookGUID",
        "isCompliant",
    }
)

#: Integer fields that point at another modeled entity, by field name.
REFERENCES: dict[str, str] = {
    "companyID": "Companies",
    "parentCompanyID": "Companies",
    "vendorCompanyID": "Companies",
    "billToCompanyID": "Companies",
    "defaultVendorID": "Companies",
    "vendorID": "Companies",
    "contactID": "Contacts",
    "installedByContactID": "Contacts",
    "billToCompanyContactID": "Contacts",
    "contractID": "Contracts",
    "contractServiceID": "ContractServices",
    "configurationItemID": "ConfigurationItems",
    "parentConfigurationItemID": "ConfigurationItems",
    "configurationItemCategoryID": "ConfigurationItemCategories",
    "productID": "Products",
    "serviceID": "Services",
    "ticketID": "Tickets",
    "opportunityID": "Opportunities",
    "projectID": "Projects",
    "ownerResourceID": "Resources",
    "assignedResourceID": "Resources",
    "creatorResourceID": "Resources",
    "createdByResourceID": "Resources",
    "completedByResourceID": "Resources",
    "lastActivityResourceID": "Resources",
    "projectLeadResourceID": "Resources",
    "companyOwnerResourceID": "Resources",
    "installedByID": "Resources",
    "impersonatorCreatorResourceID": "Resources",
    "deletedByResourceID": "Resources",
    "updateResourceID": "Resources",
    "createdByPersonID": "Resources",
    "lastActivityPersonID": "Resources",
}

_RMM = ("rmm", "datto")
_WEBHOOK_REQUIRED = ("name", "webhookUrl", "isActive")
_WEBHOOK_LENGTHS = {
    "name": 50,
    "webhookUrl": 500,
    "deactivationUrl": 500,
    "secretKey": 64,
    "notificationEmailAddress": 254,
}


def _webhook_specs(singular: str, target: str, model_prefix: str) -> list[EntitySpec]:
    hooks = f"{singular}Webhooks"
    return [
        EntitySpec(
            hooks,
            f"{model_prefix}WebhookModel",
            f"{singular}Webhook",
            read_only=("ownerResourceID",),
            webhook_target=target,
            required=_WEBHOOK_REQUIRED,
            lengths=_WEBHOOK_LENGTHS,
        ),
        EntitySpec(
            f"{singular}WebhookFields",
            f"{model_prefix}WebhookFieldModel",
            f"{singular}WebhookField",
            parent=ParentLink(hooks, "Fields", "webhookID"),
            required=("fieldID",),
            webhook_target=target,
        ),
    ]


SPECS: tuple[EntitySpec, ...] = (
    EntitySpec(
        "Companies",
        "CompanyModel",
        "Company",
        change_field="lastTrackedModifiedDateTime",
        also_bumped=("lastActivityDate",),
        required=("companyName", "companyType", "phone", "ownerResourceID"),
        picklists={
            "companyType": "companyType",
            "classification": "classification",
            "marketSegmentID": "marketSegment",
            "territoryID": "territory",
            "companyCategoryID": "companyCategory",
            "countryID": "country",
            "billToCountryID": "country",
        },
        lengths={
            "companyName": 100,
            "companyNumber": 50,
            "phone": 25,
            "fax": 25,
            "postalCode": 20,
            "state": 40,
            "city": 50,
            "webAddress": 255,
        },
        touch_field="phone",
        webhook_entity="CompanyWebhooks",
    ),
    EntitySpec(
        "Contacts",
        "ContactModel",
        "Contact",
        change_field="lastModifiedDate",
        also_bumped=("lastActivityDate",),
        parent=ParentLink("Companies", "Contacts", "companyID"),
        required=("companyID", "firstName", "lastName", "isActive"),
        picklists={"namePrefix": "namePrefix", "nameSuffix": "nameSuffix", "countryID": "country"},
        lengths={
            "firstName": 50,
            "lastName": 50,
            "emailAddress": 254,
            "title": 50,
            "phone": 25,
            "mobilePhone": 25,
        },
        touch_field="title",
        webhook_entity="ContactWebhooks",
    ),
    EntitySpec(
        "ConfigurationItems",
        "ConfigurationItemModel",
        "ConfigurationItem",
        change_field="lastModifiedTime",
        required=("companyID", "productID", "isActive"),
        read_only=tuple(
            f for f, _, _ in swagger.model_fields("ConfigurationItemModel") if f.startswith(_RMM)
        ),
        picklists={
            "configurationItemType": "@ConfigurationItemTypes",
            "lastActivityPersonType": "lastActivityPersonType",
        },
        lengths={
            "serialNumber": 100,
            "referenceTitle": 200,
            "referenceNumber": 50,
            "location": 100,
            "notes": 8000,
        },
        touch_field="location",
        webhook_entity="ConfigurationItemWebhooks",
    ),
    EntitySpec(
        "ConfigurationItemTypes",
        "ConfigurationItemTypeModel",
        "ConfigurationItemType",
        required=("name", "isActive"),
        lengths={"name": 100},
    ),
    EntitySpec(
        "ConfigurationItemCategories",
        "ConfigurationItemCategoryModel",
        "ConfigurationItemCategory",
        required=("name", "nickname", "isActive"),
        lengths={"name": 100, "nickname": 3},
    ),
    EntitySpec(
        "Products",
        "ProductModel",
        "Product",
        required=("name", "isActive"),
        picklists={
            "productCategory": "productCategory",
            "billingType": "productBilling",
            "periodType": "servicePeriod",
            "priceCostMethod": "priceCostMethod",
        },
        lengths={"name": 100, "sku": 50, "manufacturerName": 100, "manufacturerProductName": 100},
    ),
    EntitySpec(
        "Contracts",
        "ContractModel",
        "Contract",
        change_field="lastModifiedDateTime",
        required=("contractName", "contractType", "companyID", "startDate", "endDate", "status"),
        picklists={
            "contractType": "contractType",
            "status": "contractStatus",
            "contractCategory": "contractCategory",
            "contractPeriodType": "contractPeriod",
            "billingPreference": "billingPreference",
            "timeReportingRequiresStartAndStopTimes": "timeReporting",
            "serviceLevelAgreementID": "sla",
        },
        lengths={
            "contractName": 100,
            "contractNumber": 50,
            "description": 2000,
            "purchaseOrderNumber": 50,
        },
        touch_field="description",
    ),
    EntitySpec(
        "ContractServices",
        "ContractServiceModel",
        "ContractService",
        parent=ParentLink("Contracts", "Services", "contractID"),
        required=("contractID", "serviceID", "unitPrice"),
        lengths={"invoiceDescription": 1000, "internalDescription": 100},
        touch_field="invoiceDescription",
    ),
    EntitySpec(
        "Services",
        "ServiceModel",
        "Service",
        change_field="lastModifiedDate",
        required=("name", "periodType", "unitPrice", "isActive"),
        picklists={"periodType": "servicePeriod", "serviceLevelAgreementID": "sla"},
        lengths={"name": 150, "description": 400},
        touch_field="description",
    ),
    EntitySpec(
        "ContractServiceUnits",
        "ContractServiceUnitModel",
        "ContractServiceUnit",
        parent=ParentLink("Contracts", "ServiceUnits", "contractID"),
    ),
    EntitySpec(
        "Opportunities",
        "OpportunityModel",
        "Opportunity",
        change_field="lastActivity",
        required=(
            "title",
            "companyID",
            "ownerResourceID",
            "status",
            "stage",
            "probability",
            "amount",
            "cost",
            "projectedCloseDate",
        ),
        picklists={
            "status": "opportunityStatus",
            "stage": "opportunityStage",
            "rating": "opportunityRating",
            "leadSource": "leadSource",
        },
        lengths={"title": 128, "description": 8000},
        touch_field="probability",
    ),
    EntitySpec(
        "Tickets",
        "TicketModel",
        "Ticket",
        change_field="lastTrackedModificationDateTime",
        also_bumped=("lastActivityDate",),
        required=("companyID", "title", "status", "priority"),
        picklists={
            "status": "ticketStatus",
            "priority": "ticketPriority",
            "queueID": "queue",
            "issueType": "issueType",
            "subIssueType": "subIssueType",
            "source": "ticketSource",
            "ticketType": "ticketType",
            "ticketCategory": "ticketCategory",
            "creatorType": "creatorType",
            "serviceLevelAgreementID": "sla",
            "lastActivityPersonType": "lastActivityPersonType",
        },
        lengths={"title": 255, "description": 8000, "resolution": 32000},
        touch_field="title",
        webhook_entity="TicketWebhooks",
    ),
    EntitySpec("DeletedTicketLogs", "DeletedTicketLogModel", "DeletedTicketLog"),
    EntitySpec(
        "Projects",
        "ProjectModel",
        "Project",
        change_field="lastActivityDateTime",
        required=(
            "projectName",
            "companyID",
            "projectType",
            "status",
            "startDateTime",
            "endDateTime",
        ),
        picklists={
            "status": "projectStatus",
            "projectType": "projectType",
            "department": "department",
            "lastActivityPersonType": "lastActivityPersonType",
        },
        lengths={"projectName": 100, "description": 2000},
        touch_field="completedPercentage",
    ),
    EntitySpec(
        "Resources",
        "ResourceModel",
        "Resource",
        picklists={
            "licenseType": "licenseType",
            "userType": "userType",
            "greeting": "greeting",
            "suffix": "nameSuffix",
        },
        lengths={"firstName": 50, "lastName": 50, "email": 254, "userName": 32},
    ),
    *_webhook_specs("Company", "Companies", "Company"),
    *_webhook_specs("Contact", "Contacts", "Contact"),
    *_webhook_specs("ConfigurationItem", "ConfigurationItems", "ConfigurationItem"),
    *_webhook_specs("Ticket", "Tickets", "Ticket"),
)

BY_NAME: dict[str, EntitySpec] = {spec.name: spec for spec in SPECS}
BY_LOWER_NAME: dict[str, EntitySpec] = {spec.name.lower(): spec for spec in SPECS}
WEBHOOK_ENTITY_OF: dict[str, str] = {
    spec.name: spec.webhook_entity for spec in SPECS if spec.webhook_entity
}


def spec(name: str) -> EntitySpec:
    """Return the spec of entity ``name`` (case-insensitive); KeyError if unknown."""
    return BY_LOWER_NAME[name.lower()]


@cache
def children_of(parent: str) -> dict[str, EntitySpec]:
    """Return lower-case URL segment -> child spec for children of ``parent``."""
    return {s.parent.segment.lower(): s for s in SPECS if s.parent and s.parent.parent == parent}


def is_read_only(entity: EntitySpec, name: str) -> bool:
    """Return whether an API write to ``name`` on ``entity`` is ignored."""
    if entity.webhook_target and name == "ownerResourceID":
        return True
    return name in READ_ONLY_FIELDS or name in entity.read_only
