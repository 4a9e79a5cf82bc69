"""Tenant-specific picklists of the simulated Autotask database.

Picklist values are integers on records and strings in field metadata.
Labels are deliberately tenant-flavoured (a renamed status, an emoji, a
retired value) because real tenants customise them: clients must read labels
from ``entityInformation/fields`` and never hard-code them.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class PickValue:
    """One picklist entry as the metadata reports it."""

    value: int
    label: str
    is_default: bool = False
    is_active: bool = True
    is_system: bool = False
    parent_value: int | None = None

    def to_json(self, sort_order: int) -> dict[str, object]:
        """Return the ``picklistValues`` item Autotask sends for this entry."""
        return {
            "value": str(self.value),
            "label": self.label,
            "isDefaultValue": self.is_default,
            "sortOrder": sort_order,
            "parentValue": "" if self.parent_value is None else str(self.parent_value),
            "isActive": self.is_active,
            "isSystem": self.is_system,
        }


def _plain(*pairs: tuple[int, str], default: int | None = None) -> tuple[PickValue, ...]:
    return tuple(
        PickValue(v, label, is_default=v == default, is_system=v < 100) for v, label in pairs
    )


COMPANY_TYPE = _plain(
    (1, "Customer"),
    (2, "Lead"),
    (3, "Prospect"),
    (4, "Dead"),
    (6, "Cancelation"),
    (7, "Vendor"),
    (8, "Partner"),
    default=1,
)
COMPANY_CLASSIFICATION = _plain(
    (101, "Gold ⭐"), (102, "Silver"), (103, "Bronze"), (104, "Unmanaged")
)
MARKET_SEGMENT = _plain(
    (1, "Healthcare"),
    (2, "Legal"),
    (3, "Manufacturing"),
    (4, "Non-profit"),
    (5, "Retail"),
    (6, "Finance & Insurance"),
)
TERRITORY = _plain((1, "North"), (2, "South"), (3, "East"), (4, "West"), (5, "Overseas"))
COMPANY_CATEGORY = _plain(
    (100, "Standard"), (101, "Key Account"), (102, "Co-managed IT"), default=100
)
COUNTRY = _plain(
    (237, "United States"),
    (236, "United Kingdom"),
    (83, "Germany"),
    (76, "France"),
    (39, "Canada"),
    (14, "Australia"),
    (158, "Netherlands"),
    (212, "Switzerland"),
    (115, "Japan"),
    (166, "Norway"),
    default=237,
)
NAME_PREFIX = _plain((1, "Mr."), (2, "Mrs."), (3, "Ms."), (4, "Dr."))
NAME_SUFFIX = _plain((1, "Jr."), (2, "Sr."), (3, "III"))
CONTRACT_TYPE = _plain(
    (1, "Time & Materials"),
    (3, "Fixed Price"),
    (4, "Block Hours"),
    (6, "Retainer"),
    (7, "Recurring Service"),
    (8, "Per Ticket"),
)
CONTRACT_STATUS = _plain((0, "Inactive"), (1, "Active"), default=1)
CONTRACT_CATEGORY = _plain(
    (1, "Managed Services"), (2, "Break/Fix"), (3, "Backup & DR"), (4, "Security")
)
CONTRACT_PERIOD = _plain((1, "Monthly"), (2, "Quarterly"), (3, "Semi-Annual"), (4, "Yearly"))
BILLING_PREFERENCE = _plain((1, "Manually"), (2, "Immediately"), (3, "Timesheet Approval"))
TIME_REPORTING = _plain((0, "No"), (1, "Yes"), default=0)
SERVICE_PERIOD = _plain(
    (1, "Monthly"), (2, "Quarterly"), (3, "Semi-Annual"), (4, "Yearly"), default=1
)
OPPORTUNITY_STATUS = _plain(
    (0, "Not Ready To Buy"),
    (1, "Active"),
    (2, "Lost"),
    (3, "Closed"),
    (4, "Implemented"),
    default=1,
)
OPPORTUNITY_STAGE = _plain(
    (1, "Qualifying"),
    (2, "Proposal"),
    (3, "Negotiation"),
    (4, "Verbal Win"),
    (5, "Closed Won"),
    (6, "Closed Lost"),
)
OPPORTUNITY_RATING = _plain((1, "Hot 🔥"), (2, "Warm"), (3, "Cold"))
LEAD_SOURCE = _plain((1, "Referral"), (2, "Website"), (3, "Trade Show"), (4, "Cold Call"))
TICKET_STATUS = (
    PickValue(1, "New", is_default=True, is_system=True),
    PickValue(5, "Complete", is_system=True),
    PickValue(8, "In Progress", is_system=True),
    PickValue(7, "Waiting Customer", is_system=True),
    PickValue(9, "Waiting Materials", is_system=True),
    PickValue(10, "Dispatched", is_system=True),
    PickValue(12, "Waiting Vendor", is_system=True),
    PickValue(13, "Escalated", is_system=True),
    PickValue(19, "Customer Note Added", is_system=True),
    PickValue(21, "On Hold ⏸", is_active=True),
    PickValue(22, "Awaiting Approval (retired)", is_active=False),
)
TICKET_PRIORITY = (
    PickValue(4, "P1 Critical", is_system=True),
    PickValue(1, "P2 High", is_system=True),
    PickValue(2, "P3 Medium", is_default=True, is_system=True),
    PickValue(3, "P4 Low", is_system=True),
)
QUEUE = _plain(
    (5, "Client Portal"),
    (6, "Post Sale"),
    (8, "Monitoring Alert"),
    (29682833, "Level I Support"),
    (29682969, "Level II Support"),
    (29683481, "Projects & Onboarding"),
    default=29682833,
)
ISSUE_TYPE = _plain(
    (1, "Hardware"), (2, "Software"), (3, "Network"), (4, "Security"), (5, "Accounts & Access")
)
SUB_ISSUE_TYPE = tuple(
    PickValue(value, label, parent_value=parent)
    for value, label, parent in (
        (101, "Laptop", 1),
        (102, "Printer", 1),
        (103, "Server", 1),
        (201, "Microsoft 365", 2),
        (202, "Line of Business App", 2),
        (203, "Antivirus", 2),
        (301, "Firewall", 3),
        (302, "Wi-Fi", 3),
        (303, "VPN", 3),
        (401, "Phishing", 4),
        (402, "Malware", 4),
        (501, "Password Reset", 5),
        (502, "New User", 5),
        (503, "Leaver", 5),
    )
)
TICKET_SOURCE = _plain(
    (-1, "Insourced"), (2, "Phone"), (4, "Email"), (6, "Monitoring Alert"), (11, "Client Portal")
)
TICKET_TYPE = _plain(
    (1, "Service Request"),
    (2, "Incident"),
    (3, "Problem"),
    (4, "Change Request"),
    (5, "Alert"),
    default=1,
)
TICKET_CATEGORY = _plain((3, "Standard"), (4, "AEM Alert"), (101, "Onboarding"), default=3)
CREATOR_TYPE = _plain((1, "Resource"), (2, "Contact"))
SLA = _plain((1, "Standard 8x5"), (2, "Premium 24x7"))
PROJECT_STATUS = _plain(
    (0, "Inactive"), (1, "New"), (2, "Active"), (5, "Complete"), (8, "On Hold"), default=1
)
PROJECT_TYPE = _plain(
    (2, "Template"), (3, "Baseline"), (4, "Proposal"), (5, "Client"), (8, "Internal"), default=5
)
DEPARTMENT = _plain((29682834, "Service Desk"), (29682835, "Projects"), (29682836, "Sales"))
PRODUCT_CATEGORY = _plain((1, "Hardware"), (2, "Software"), (3, "Licences"), (4, "Network"))
PRODUCT_BILLING = _plain((1, "Billable"), (2, "Non-billable"))
PRICE_COST_METHOD = _plain((1, "Markup"), (2, "Fixed"))
RESOURCE_LICENSE = _plain((1, "Full"), (2, "Time & Attendance"), (3, "Dashboard"), (7, "API User"))
RESOURCE_USER_TYPE = _plain((1, "Full"), (7, "Co-managed"), (17, "API User (system)"))
GREETING = _plain((1, "Mr."), (2, "Mrs."), (3, "Ms."))
LAST_ACTIVITY_PERSON = _plain((1, "Resource"), (2, "Contact"))

#: Picklist name -> values; entity specs refer to these names.
PICKLISTS: dict[str, tuple[PickValue, ...]] = {
    "companyType": COMPANY_TYPE,
    "classification": COMPANY_CLASSIFICATION,
    "marketSegment": MARKET_SEGMENT,
    "territory": TERRITORY,
    "companyCategory": COMPANY_CATEGORY,
    "country": COUNTRY,
    "namePrefix": NAME_PREFIX,
    "nameSuffix": NAME_SUFFIX,
    "contractType": CONTRACT_TYPE,
    "contractStatus": CONTRACT_STATUS,
    "contractCategory": CONTRACT_CATEGORY,
    "contractPeriod": CONTRACT_PERIOD,
    "billingPreference": BILLING_PREFERENCE,
    "timeReporting": TIME_REPORTING,
    "servicePeriod": SERVICE_PERIOD,
    "opportunityStatus": OPPORTUNITY_STATUS,
    "opportunityStage": OPPORTUNITY_STAGE,
    "opportunityRating": OPPORTUNITY_RATING,
    "leadSource": LEAD_SOURCE,
    "ticketStatus": TICKET_STATUS,
    "ticketPriority": TICKET_PRIORITY,
    "queue": QUEUE,
    "issueType": ISSUE_TYPE,
    "subIssueType": SUB_ISSUE_TYPE,
    "ticketSource": TICKET_SOURCE,
    "ticketType": TICKET_TYPE,
    "ticketCategory": TICKET_CATEGORY,
    "creatorType": CREATOR_TYPE,
    "sla": SLA,
    "projectStatus": PROJECT_STATUS,
    "projectType": PROJECT_TYPE,
    "department": DEPARTMENT,
    "productCategory": PRODUCT_CATEGORY,
    "productBilling": PRODUCT_BILLING,
    "priceCostMethod": PRICE_COST_METHOD,
    "licenseType": RESOURCE_LICENSE,
    "userType": RESOURCE_USER_TYPE,
    "greeting": GREETING,
    "lastActivityPersonType": LAST_ACTIVITY_PERSON,
}


def values_of(name: str) -> tuple[int, ...]:
    """Return the integer values of a static picklist, in declaration order."""
    return tuple(item.value for item in PICKLISTS[name])
