"""Encryption of connector settings at rest (Fernet).

``HUB_ENCRYPTION_KEY`` may hold several comma-separated keys: the first
encrypts, all of them decrypt, so a key is rotated by putting the new one
first and running ``hub keys rotate``.
"""

from __future__ import annotations

import json
from typing import Any

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from flask import current_app

from hub.errors import ConfigurationError


def _fernet() -> MultiFernet:
    raw = str(current_app.config["ENCRYPTION_KEY"])
    try:
        return MultiFernet([Fernet(key.strip()) for key in raw.split(",") if key.strip()])
    except (ValueError, TypeError):
        raise ConfigurationError(
            "HUB_ENCRYPTION_KEY is not a valid Fernet key (44 url-safe base64 characters)"
        ) from None


def encrypt_settings(settings: dict[str, Any]) -> bytes:
    """Return the encrypted form of a settings dict."""
    return _fernet().encrypt(json.dumps(settings, sort_keys=True).encode())


UNREADABLE = (
    "stored settings cannot be decrypted with HUB_ENCRYPTION_KEY (was the key changed "
    "without keeping the old one?)"
)


def decrypt_settings(blob: bytes) -> dict[str, Any]:
    """Return the settings dict stored in ``blob``."""
    try:
        data: dict[str, Any] = json.loads(_fernet().decrypt(blob))
    except InvalidToken:
        raise ConfigurationError(UNREADABLE) from None
    return data


def rotate(blob: bytes) -> bytes:
    """Re-encrypt ``blob`` with the first (newest) key; refuse when no key opens it."""
    try:
        return _fernet().rotate(blob)
    except InvalidToken:
        raise ConfigurationError(UNREADABLE + "; nothing was re-encrypted") from None
