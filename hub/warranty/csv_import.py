"""Importing warranty expiration dates from a CSV file, with an error in words per bad row.

The file has a header row. Each row names one asset by ``asset_id`` (the
hub's id), ``serial_number`` or ``remote_id`` (the PSA's id), and its date in
``warranty_expiration_date`` (``YYYY-MM-DD``). By default nothing is imported
while any row is bad; ``partial=True`` imports the good rows and still
reports the bad ones.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import select

from hub.errors import ValidationFailed
from hub.extensions import db
from hub.models import Asset
from hub.warranty.sources import CSV, parse_date, set_warranty

KEYS = ("asset_id", "serial_number", "remote_id")
DATE_COLUMN = "warranty_expiration_date"
MAX_ROWS = 100_000


@dataclass
class ImportResult:
    """What an import did: rows imported, and (row number, message) per bad row."""

    imported: int = 0
    unchanged: int = 0
    errors: list[tuple[int, str]] = field(default_factory=list)
    applied: bool = False


def _header(reader: csv.DictReader[str]) -> list[str]:
    names = [(n or "").strip().lower() for n in (reader.fieldnames or [])]
    problems = []
    if not any(k in names for k in KEYS):
        problems.append(f"the header needs one of the columns {', '.join(KEYS)}")
    if DATE_COLUMN not in names:
        problems.append(f"the header needs the column {DATE_COLUMN}")
    if problems:
        raise ValidationFailed({"file": problems}, what="CSV file")
    return names


def _index(tenant_id: int, column: str) -> dict[str, list[int]]:
    attr = {
        "asset_id": Asset.id,
        "serial_number": Asset.serial_number,
        "remote_id": Asset.remote_id,
    }
    found: dict[str, list[int]] = {}
    for key, asset_id in db.session.execute(
        select(attr[column], Asset.id).where(Asset.tenant_id == tenant_id)
    ):
        if key is not None:
            found.setdefault(str(key).strip().casefold(), []).append(asset_id)
    return found


def import_csv(tenant_id: int, text: str, *, partial: bool = False) -> ImportResult:
    """Import warranty dates for the tenant's assets from CSV ``text``; commits when applied."""
    if text.startswith("\ufeff"):
        text = text[1:]
    reader = csv.DictReader(io.StringIO(text))
    reader.fieldnames = _header(reader)
    indexes = {k: _index(tenant_id, k) for k in KEYS if k in reader.fieldnames}
    result = ImportResult()
    wanted: dict[int, tuple[int, date]] = {}
    for number, row in enumerate(reader, start=2):
        if number > MAX_ROWS + 1:
            result.errors.append((number, f"more than {MAX_ROWS} rows: the rest was not read"))
            break
        if not any((v or "").strip() for v in row.values() if isinstance(v, str)):
            continue  # a blank line
        key_column = next((k for k in KEYS if (row.get(k) or "").strip()), None)
        if key_column is None:
            result.errors.append((number, f"names no asset: fill one of {', '.join(KEYS)}"))
            continue
        key = (row.get(key_column) or "").strip()
        matches = indexes[key_column].get(key.casefold(), [])
        label = key_column.replace("_", " ")
        if not matches:
            result.errors.append((number, f"there is no asset with {label} {key!r}"))
            continue
        if len(matches) > 1:
            result.errors.append(
                (number, f"{len(matches)} assets have {label} {key!r}: use asset_id instead")
            )
            continue
        try:
            expires_on = parse_date(row.get(DATE_COLUMN))
        except ValueError as exc:
            result.errors.append((number, f"{DATE_COLUMN}: {exc}"))
            continue
        if matches[0] in wanted and wanted[matches[0]][1] != expires_on:
            result.errors.append(
                (number, f"names the same asset as row {wanted[matches[0]][0]} with another date")
            )
            continue
        wanted[matches[0]] = (number, expires_on)
    if result.errors and not partial:
        return result
    for asset_id, (number, expires_on) in wanted.items():
        asset = db.session.get(Asset, asset_id)
        assert asset is not None
        if asset.warranty_expiration_date == expires_on and asset.warranty_source == CSV:
            result.unchanged += 1
            continue
        try:
            set_warranty(asset, expires_on, CSV)
        except ValidationFailed as exc:
            result.errors.append(
                (number, "; ".join(str(m) for ms in exc.errors.values() for m in ms))
            )
            continue
        result.imported += 1
    db.session.commit()
    result.applied = True
    result.errors.sort()
    return result
