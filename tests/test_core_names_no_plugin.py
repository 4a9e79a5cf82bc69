"""The core knows no plugin by name: nothing under ``hub/`` names a connector plugin."""

from __future__ import annotations

import re
from pathlib import Path

HUB = Path(__file__).resolve().parent.parent / "hub"
FORBIDDEN = re.compile(r"hub_autotask|hub_itglue_stub|autotask|itglue", re.IGNORECASE)


def _offences() -> list[str]:
    found = []
    for path in sorted(HUB.rglob("*")):
        if not path.is_file() or "__pycache__" in path.parts:
            continue
        try:
            text = path.read_text(encoding="utf-8")
        except UnicodeDecodeError:
            continue  # binary assets name nothing
        for number, line in enumerate(text.splitlines(), start=1):
            if match := FORBIDDEN.search(line):
                where = path.relative_to(HUB.parent)
                found.append(f"{where}:{number}: {match.group(0)!r}: {line.strip()[:120]}")
    return found


def test_core_names_no_plugin() -> None:
    offences = _offences()
    assert not offences, "hub/ must not name a plugin:\n" + "\n".join(offences)
