"""The Autotask connector's settings, as the settings form and ``--settings-file`` hold them."""

from __future__ import annotations

import os
from typing import Any

from marshmallow import (
    Schema,
    ValidationError,
    fields,
    post_load,
    validate,
    validates,
    validates_schema,
)

from hub.errors import ConfigurationError
from hub_autotask import urls

VENDOR_CODE_VARIABLE = "HUB_AUTOTASK_INTEGRATION_CODE"
#: Username, secret and integration code travel in HTTP headers: printable ASCII only.
HEADER_SAFE = validate.Regexp(
    r"^[\x20-\x7e]*$", error="use printable ASCII characters only (no accents or line breaks)"
)


class AutotaskSettings(Schema):
    """Credentials of an Autotask API-only user and the API tracking identifier."""

    username = fields.String(
        required=True,
        validate=[validate.Length(min=1, max=200), HEADER_SAFE],
        metadata={
            "label": "Username",
            "help": "The API-only user's username (an email address) from Autotask.",
        },
    )
    secret = fields.String(
        required=True,
        validate=[validate.Length(min=1, max=200), HEADER_SAFE],
        metadata={"label": "Secret", "help": "The API user's secret.", "secret": True},
    )
    integration_code = fields.String(
        load_default="",
        validate=[validate.Length(max=100), HEADER_SAFE],
        metadata={
            "label": "API tracking identifier",
            "help": "The API user's tracking identifier "
            "(Integration Vendor or Custom Integration).",
        },
    )
    zone_url = fields.String(
        load_default="",
        validate=validate.Length(max=300),
        metadata={
            "label": "Region / zone URL",
            "help": "Leave blank: the zone is detected from the username.",
        },
    )

    @validates("zone_url")
    def _zone_url_allowed(self, value: str, **_: Any) -> None:
        # Refused at save time, not only when a sync would send credentials there.
        if value.strip():
            try:
                urls.require_allowed(value, "zone URL")
            except ConfigurationError as exc:
                raise ValidationError(exc.message) from None

    @validates_schema
    def _integration_code_present(self, data: dict[str, Any], **_: Any) -> None:
        if not data.get("integration_code") and not os.environ.get(VENDOR_CODE_VARIABLE):
            raise ValidationError(
                "Missing data for required field (no operator-wide code is set either).",
                "integration_code",
            )

    @post_load
    def _strip(self, data: dict[str, Any], **_: Any) -> dict[str, Any]:
        return {k: v.strip() if isinstance(v, str) else v for k, v in data.items()}
