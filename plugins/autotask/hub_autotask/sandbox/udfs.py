"""User-defined field (UDF) definitions of the simulated tenant.

On records UDFs travel as ``[{"name": ..., "value": ...}]`` with string or
null values (decimals as ``"1.0000"``); their metadata uses ``type`` rather
than ``dataType``, and picklist UDF values equal their labels. Protected UDFs
come back masked as ``"*****"``.
"""

from __future__ import annotations

from dataclasses import dataclass

MASK = "*****"


@dataclass(frozen=True)
class UdfDef:
    """One user-defined field definition."""

    name: str
    type: str  # "string", "decimal" or "datetime"
    description: str = ""
    length: int = 100
    choices: tuple[str, ...] = ()
    default: str | None = None
    protected: bool = False
    required: bool = False

    def to_json(self) -> dict[str, object]:
        """Return the ``entityInformation/userDefinedFields`` item for this UDF."""
        return {
            "name": self.name,
            "label": self.name,
            "type": self.type,
            "length": self.length,
            "description": self.description,
            "isRequired": self.required,
            "isReadOnly": False,
            "isQueryable": True,
            "isReference": False,
            "referenceEntityType": "",
            "isPickList": bool(self.choices),
            "picklistValues": [
                {
                    "value": label,
                    "label": label,
                    "isDefaultValue": label == self.default,
                    "sortOrder": order,
                    "parentValue": "",
                    "isActive": True,
                    "isSystem": False,
                }
                for order, label in enumerate(self.choices, start=1)
            ]
            if self.choices
            else None,
            "picklistParentValueField": "",
            "defaultValue": self.default,
            "isSupportedWebhookField": False,
        }


OS_TYPES = (
    "Windows 11",
    "Windows 10",
    "Windows Server 2022",
    "Windows Server 2019",
    "macOS",
    "Ubuntu Linux",
    "iOS",
    "Android",
    "Firmware",
)
TIERS = ("Platinum", "Gold", "Silver", "Bronze")

#: Entity name -> UDF definitions, in the order records list them.
UDFS: dict[str, tuple[UdfDef, ...]] = {
    "Companies": (
        UdfDef("NAV ID", "string", "Customer number in the finance system", length=20),
        UdfDef("Tier", "string", "Service tier", choices=TIERS, default="Silver"),
        UdfDef("Monthly Seats", "decimal", "Billable seats"),
        UdfDef("Onboarded", "datetime", "Date the customer was onboarded"),
    ),
    "ConfigurationItems": (
        UdfDef("RAM", "decimal", "Installed memory in GB"),
        UdfDef("OS Type", "string", "Operating system family", choices=OS_TYPES),
        UdfDef("Purchase Date", "datetime", "Date of purchase"),
        UdfDef("Local Admin Password", "string", "Break-glass password", protected=True),
    ),
    "Contacts": (
        UdfDef("Preferred Language", "string", choices=("English", "Deutsch", "Français")),
    ),
    "Contracts": (UdfDef("PO Number", "string", "Customer purchase order", length=50),),
    "Tickets": (UdfDef("Root Cause", "string", "Filled in at resolution", length=500),),
    "Opportunities": (),
    "Projects": (),
    "Services": (),
    "Products": (),
}


def udfs_for(entity: str) -> tuple[UdfDef, ...]:
    """Return the UDF definitions of ``entity`` (empty when it has none)."""
    return UDFS.get(entity, ())
