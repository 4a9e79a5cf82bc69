"""A small warranty-lookup plugin for the tests: knows serials starting with ``DELL-``.

``DELL-BROKEN`` makes the lookup fail the way a vendor API that is down would.
"""

from __future__ import annotations

from datetime import date

from hub import hookimpl
from hub.connector import WarrantyFound
from hub.errors import ConnectionFailed

NAME = "test-warranty-lookup"


class WarrantyLookupPlugin:
    """Answers for Dell serials only; others fall through to other plugins."""

    def __init__(self) -> None:
        self.asked: list[str] = []

    @hookimpl
    def hub_warranty_lookup(
        self, serial_number: str, manufacturer: str | None
    ) -> WarrantyFound | None:
        """Return 2031-01-<n> for DELL-<n>, fail for DELL-BROKEN, ``None`` otherwise."""
        self.asked.append(serial_number)
        if not serial_number.startswith("DELL-"):
            return None
        if serial_number == "DELL-BROKEN":
            raise ConnectionFailed("the Dell warranty API did not answer (timed out after 10 s)")
        return WarrantyFound(date(2031, 1, int(serial_number[5:])), "dell")
