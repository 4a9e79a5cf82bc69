"""The webhooks blueprint: ``POST /webhooks/<connector>/<integration id>`` (no CSRF, no login).

The signature is the only credential: the connector checks it over the raw
body. Bodies over 1 MiB are refused before anything is read.
"""

from __future__ import annotations

from flask import Blueprint, jsonify, request
from werkzeug.wrappers import Response

from hub.webhooks.intake import receive

MAX_BODY = 1024 * 1024

webhooks = Blueprint("webhooks", __name__)


@webhooks.post("/webhooks/<connector>/<int:integration_id>")
def delivery(connector: str, integration_id: int) -> tuple[Response, int]:
    """Verify one delivery and queue its processing; answer at once."""
    if (request.content_length or 0) > MAX_BODY:
        return jsonify(message="the delivery is larger than 1 MiB"), 413
    body = request.get_data(cache=False)
    status, answer = receive(connector, integration_id, dict(request.headers.items()), body)
    return jsonify(answer), status
