"""The stub connector's settings: an IT Glue API key, a region and a page size."""

from __future__ import annotations

from typing import Any

from marshmallow import Schema, fields, post_load, validate

REGIONS = {
    "us": "https://api.itglue.com",
    "eu": "https://api.eu.itglue.com",
    "au": "https://api.au.itglue.com",
}


class ItGlueSettings(Schema):
    """An IT Glue API key (secret), the account's data-centre region and the page size."""

    api_key = fields.String(
        required=True,
        validate=validate.Length(min=1, max=200),
        metadata={
            "label": "API key",
            "help": "An IT Glue API key (Account > Settings > API Keys); it starts with 'ITG.'.",
            "secret": True,
        },
    )
    region = fields.String(
        load_default="us",
        validate=validate.OneOf(sorted(REGIONS)),
        metadata={"label": "Region", "help": "The data centre of the IT Glue account."},
    )
    page_size = fields.Integer(
        load_default=50,
        validate=validate.Range(min=1, max=1000),
        metadata={"label": "Page size", "help": "Records per request (1 to 1000)."},
    )

    @post_load
    def _strip(self, data: dict[str, Any], **_: Any) -> dict[str, Any]:
        return {k: v.strip() if isinstance(v, str) else v for k, v in data.items()}


def base_url(settings: Any) -> str:
    """Return the API base URL of the settings' region."""
    return REGIONS[str(settings.get("region", "us"))]
