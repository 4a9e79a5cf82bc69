"""An integration's apply configuration: the connector's defaults with the admin's overrides.

Overrides live in ``Integration.options["apply"]``::

    {"fields":  {"asset": {"purchase_date": [["Purchase Date", true], ["installDate", false]]}},
     "select":  {"company": {"companyType": ["1", "3"], "isActive": [true]}},
     "include": {"company": ["29683501"]},          # remote ids applied whatever the selection
     "values":  {"company_types": {"1": 12}}}       # remote value -> an existing hub record id
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field, replace
from typing import Any

from hub.connector import FieldSource, ModelMapping
from hub.connectors import get_connector
from hub.errors import ConfigurationError
from hub.models import Integration
from hub.plugins import pm


@dataclass
class ApplyConfig:
    """The effective mappings of one integration, in apply order."""

    mappings: list[ModelMapping]
    include: dict[str, set[str]] = field(default_factory=dict)
    values: dict[str, dict[str, int]] = field(default_factory=dict)

    def fingerprint(self) -> str:
        """Return a digest of the whole configuration (it changes when any mapping does)."""
        text = repr((self.mappings, sorted((k, sorted(v)) for k, v in self.include.items()),
                     sorted((k, sorted(v.items())) for k, v in self.values.items())))  # fmt: skip
        return hashlib.sha256(text.encode()).hexdigest()[:32]

    def mapping(self, model: str) -> ModelMapping:
        """Return the mapping that feeds ``model``."""
        for mapping in self.mappings:
            if mapping.model == model:
                return mapping
        raise ConfigurationError(f"nothing feeds hub {model} records")


def default_mappings(connector: str) -> list[ModelMapping]:
    """Return the connector's default mappings (empty when it declares none)."""
    get_connector(connector)
    return list(pm.hook.hub_default_mappings(connector=connector) or [])


def load_config(integration: Integration) -> ApplyConfig:
    """Return the integration's effective apply configuration."""
    options: dict[str, Any] = (integration.options or {}).get("apply") or {}
    fields_override = options.get("fields") or {}
    select_override = options.get("select") or {}
    mappings = []
    for mapping in default_mappings(integration.connector):
        fields = dict(mapping.fields)
        for attr, sources in (fields_override.get(mapping.model) or {}).items():
            fields[attr] = tuple(FieldSource(str(f), bool(custom)) for f, custom in sources)
        select = mapping.select
        if mapping.model in select_override:
            select = {k: tuple(v) for k, v in select_override[mapping.model].items()}
        mappings.append(replace(mapping, fields=fields, select=select))
    return ApplyConfig(
        mappings=mappings,
        include={m: {str(i) for i in ids} for m, ids in (options.get("include") or {}).items()},
        values={
            s: {str(k): int(v) for k, v in vals.items()}
            for s, vals in (options.get("values") or {}).items()
        },
    )
