"""Fill a :class:`Store` with deterministic, realistic MSP data at a given scale."""

from __future__ import annotations

import gc

from hub_autotask.sandbox.seed_assets import seed_catalog, seed_configuration_items
from hub_autotask.sandbox.seed_context import Scale, SeedContext
from hub_autotask.sandbox.seed_crm import (
    seed_companies,
    seed_contacts,
    seed_opportunities,
    seed_resources,
)
from hub_autotask.sandbox.seed_service import (
    seed_contracts,
    seed_projects,
    seed_services,
    seed_tickets,
)
from hub_autotask.sandbox.store import Store


def build_store(scale: str, seed: int, api_username: str) -> tuple[Store, SeedContext]:
    """Return a store filled for ``scale`` (small, medium or large) and ``seed``.

    The context is returned too: it knows the API user's resource id.
    """
    store = Store()
    ctx = SeedContext(store=store, seed=seed, scale=Scale.named(scale), api_username=api_username)
    # Millions of long-lived objects: collecting while building only costs time,
    # and freezing them keeps later collections from rescanning the data set.
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        for step in (
            seed_resources,
            seed_companies,
            seed_contacts,
            seed_services,
            seed_contracts,
            seed_catalog,
            seed_configuration_items,
            seed_tickets,
            seed_opportunities,
            seed_projects,
        ):
            step(ctx)
    finally:
        gc.freeze()
        if was_enabled:
            gc.enable()
    return store, ctx
