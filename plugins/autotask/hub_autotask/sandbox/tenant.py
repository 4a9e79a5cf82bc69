"""The simulated tenant: its API user's credentials and the zone it lives in.

Credentials are deterministic per seed so a demo can be scripted. The zone
lookup answers under ``/atservicesrest/``; the API answers only under the
current zone's prefix (``/zone15/ATServicesRest/``), and a zone move makes
the old prefix answer 401.
"""

from __future__ import annotations

import random
import string
import threading
from dataclasses import dataclass, field

LOOKUP_PREFIX = "/atservicesrest/"
ZONES = (15, 16, 17, 5, 6, 11, 12, 14, 18, 19, 22, 24, 25, 26, 28, 29)


@dataclass(frozen=True)
class Credentials:
    """What an integration needs to authenticate."""

    username: str
    secret: str
    integration_code: str

    @classmethod
    def for_seed(cls, seed: int) -> Credentials:
        """Return the credentials of the tenant generated from ``seed``."""
        rng = random.Random(f"{seed}:credentials")
        user = "".join(rng.choices(string.ascii_lowercase + string.digits, k=15))
        secret_chars = string.ascii_letters + string.digits + "*@#~"
        secret = "".join(rng.choices(secret_chars, k=28)) + rng.choice("*@#~") + "7"
        code = "".join(rng.choices(string.ascii_uppercase + string.digits, k=26))
        return cls(f"{user}@NORTHWINDMSP.EXAMPLE", secret, code)

    def as_dict(self) -> dict[str, str]:
        """Return ``{"username", "secret", "integration_code"}``."""
        return {
            "username": self.username,
            "secret": self.secret,
            "integration_code": self.integration_code,
        }


@dataclass
class ZoneState:
    """Which zone the tenant is in; moves step through :data:`ZONES`."""

    position: int = 0
    ci: int = 0
    _lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def number(self) -> int:
        """Return the current zone number (the N of webservicesN)."""
        return ZONES[self.position % len(ZONES)]

    @property
    def prefix(self) -> str:
        """Return the URL path prefix of the current zone (with trailing slash)."""
        return f"/zone{self.number}/ATServicesRest/"

    def move(self) -> int:
        """Move the tenant to the next zone and return its number."""
        with self._lock:
            self.position += 1
            return self.number
