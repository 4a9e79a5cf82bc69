"""Contracts from the PSA: listed from the mirror, imported selectively, kept in step.

Hub ``contract`` and ``contract_service`` records are made here, not by the
generic apply (:mod:`hub.apply.engine` skips ``IMPORTED_SEPARATELY``): the
admin picks which remote contracts (or single services) become hub
contracts, and a contract sync (manual, or the contract auto-sync) refreshes
them. Apply still uses the connector's contract mapping to resolve
references (a project's contract) to the imported contracts.
"""

from __future__ import annotations

IMPORTED_SEPARATELY = frozenset({"contract", "contract_service"})
DEFAULT_VENDOR = "MSP Managed Services"
