"""Every hook a connector plugin can implement.

A plugin is a module (found through the ``hub`` entry-point group) with
functions decorated ``@hub.hookimpl``. Hooks that act on one connector take
the connector's ``name`` first; an implementation returns ``None`` for names
it does not own, so these hooks stop at the first non-None result.

``settings`` is always the connector's validated, decrypted settings dict;
``gate`` is the :class:`hub.connector.CallGate` every remote call must pass
through. The reference with examples is ``docs/hooks.md``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import click
import pluggy

from hub.connector import (
    CallGate,
    ConnectionReport,
    ConnectorInfo,
    ContractSource,
    Cursor,
    DemoIntegration,
    FieldInfo,
    ModelMapping,
    Page,
    PullPlan,
    Record,
    StreamSpec,
    WarrantyFound,
    WebhookEvent,
    WebhookRegistration,
    WriteResult,
)

hookspec = pluggy.HookspecMarker("hub")
hookimpl = pluggy.HookimplMarker("hub")


@hookspec
def hub_register_connectors(register: Callable[[ConnectorInfo], None]) -> None:
    """Register the connectors this plugin provides.

    :param register: call once per connector with its :class:`ConnectorInfo`;
        the core rejects a name registered twice.
    """


@hookspec(firstresult=True)
def hub_check_connection(
    connector: str, settings: Mapping[str, Any], gate: CallGate
) -> ConnectionReport | None:
    """Return a connection report: login, then whether each stream is readable.

    Stops at the first non-None result. ``ok`` is ``True`` only when the
    credentials work and every stream is readable; each unreadable stream's
    :class:`EntityAccess` says what to change in the remote user's permissions.

    :param connector: the connector's name.
    :param settings: the validated settings.
    :param gate: the call gate for remote calls.
    """


@hookspec(firstresult=True)
def hub_list_streams(connector: str) -> list[StreamSpec] | None:
    """Return every stream the connector can pull, in pull order (parents first).

    Stops at the first non-None result.

    :param connector: the connector's name.
    """


@hookspec(firstresult=True)
def hub_plan_pull(
    connector: str,
    settings: Mapping[str, Any],
    stream: str,
    since: str | None,
    ids_only: bool,
    gate: CallGate,
) -> PullPlan | None:
    """Return the plan of a pull: the record count and one cursor per partition.

    Stops at the first non-None result.

    :param connector: the connector's name.
    :param settings: the validated settings.
    :param stream: the stream's name.
    :param since: pull only records changed after this ISO-8601 UTC watermark
        (strictly after, or at-or-after: the core re-reads an overlap and
        de-duplicates); ``None`` pulls everything.
    :param ids_only: pull only primary keys (used to detect deletions).
    :param gate: the call gate for remote calls.
    """


@hookspec(firstresult=True)
def hub_count(
    connector: str, settings: Mapping[str, Any], stream: str, since: str | None, gate: CallGate
) -> int | None:
    """Return how many records ``stream`` holds remotely (changed after ``since``).

    Stops at the first non-None result. Optional: without it the core uses
    the ``total`` of an ids-only :func:`hub_plan_pull`. The core calls it
    after an incremental pull to learn cheaply whether anything was deleted.

    :param connector: the connector's name.
    :param settings: the validated settings.
    :param stream: the stream's name.
    :param since: count only records changed after this watermark; ``None`` counts all.
    :param gate: the call gate for remote calls.
    """


@hookspec(firstresult=True)
def hub_deleted_ids(
    connector: str, settings: Mapping[str, Any], stream: str, since: str, gate: CallGate
) -> list[str] | None:
    """Return the primary keys of records of ``stream`` deleted remotely after ``since``.

    Stops at the first non-None result. Optional: for remote systems that log
    deletions (a ticket deletion log, say). The core calls it after an
    incremental pull and marks those records deleted before it counts.

    :param connector: the connector's name.
    :param settings: the validated settings.
    :param stream: the stream's name.
    :param since: the ISO-8601 UTC time of the previous pull (with an overlap).
    :param gate: the call gate for remote calls.
    """


@hookspec(firstresult=True)
def hub_pull_page(
    connector: str, settings: Mapping[str, Any], stream: str, cursor: Cursor, gate: CallGate
) -> Page | None:
    """Return the page of records at ``cursor`` and the cursor of the next one.

    Stops at the first non-None result. The core checkpoints the returned
    ``next_cursor`` after storing the page, and resumes from it after a crash.

    :param connector: the connector's name.
    :param settings: the validated settings.
    :param stream: the stream's name.
    :param cursor: a cursor from :func:`hub_plan_pull` or a previous page.
    :param gate: the call gate for remote calls.
    """


@hookspec(firstresult=True)
def hub_split_cursor(
    connector: str,
    stream: str,
    cursor: Cursor,
    records: list[Record],
    remaining: int,
    parts: int,
) -> list[Cursor] | None:
    """Return the rest of a partition split into up to ``parts`` disjoint cursors.

    Stops at the first non-None result. Optional: the core calls it between
    pages when a stream has fewer partitions in flight than the remote
    system allows, so a partition that turned out long is shared out (a
    keyset range split by id, say). The first cursor replaces ``cursor``;
    together they must cover exactly what ``cursor`` would still have pulled.

    :param connector: the connector's name.
    :param stream: the stream's name.
    :param cursor: the partition's next cursor.
    :param records: the page just pulled (e.g. to estimate id density).
    :param remaining: the core's estimate of the records left in this partition.
    :param parts: how many cursors at most.
    """


@hookspec(firstresult=True)
def hub_field_metadata(
    connector: str, settings: Mapping[str, Any], stream: str, gate: CallGate
) -> list[FieldInfo] | None:
    """Return the stream's standard and custom fields with their picklists.

    Stops at the first non-None result.

    :param connector: the connector's name.
    :param settings: the validated settings.
    :param stream: the stream's name.
    :param gate: the call gate for remote calls.
    """


@hookspec(firstresult=True)
def hub_default_mappings(connector: str) -> list[ModelMapping] | None:
    """Return how the connector's streams become hub records when nobody configured anything.

    Stops at the first non-None result. Admins override the field maps, value
    maps and selections per integration; apply starts from these defaults.

    :param connector: the connector's name.
    """


@hookspec(firstresult=True)
def hub_contract_source(connector: str) -> ContractSource | None:
    """Return how the connector's contracts are imported selectively, or ``None``.

    Stops at the first non-None result. Optional: a connector whose default
    mappings feed hub ``contract`` records returns a :class:`ContractSource`
    naming its service catalogue, billed units, picklist labels and the
    asset fields that point at a contract; without it contracts are
    imported with their mapped fields only.

    :param connector: the connector's name.
    """


@hookspec(firstresult=True)
def hub_write_back(
    connector: str,
    settings: Mapping[str, Any],
    stream: str,
    remote_id: str,
    changes: Mapping[str, Any],
    expected: Mapping[str, Any],
    gate: CallGate,
) -> WriteResult | None:
    """Write ``changes`` to one remote record unless it moved; return the outcome.

    Stops at the first non-None result. A connector without write-back
    returns ``None`` and the core reports write-back as unsupported.

    :param connector: the connector's name.
    :param settings: the validated settings.
    :param stream: the stream's name.
    :param remote_id: the record's primary key.
    :param changes: field name to new value; only these fields are written.
    :param expected: field name to the value the hub last read; when the
        remote value differs, skip the write and say so.
    :param gate: the call gate for remote calls.
    """


@hookspec(firstresult=True)
def hub_register_webhooks(
    connector: str,
    settings: Mapping[str, Any],
    callback_url: str,
    streams: list[str],
    gate: CallGate,
    fields: Mapping[str, list[str]],
) -> list[WebhookRegistration] | None:
    """Create remote webhooks that call ``callback_url``; return what was created.

    Stops at the first non-None result.

    :param connector: the connector's name.
    :param settings: the validated settings.
    :param callback_url: the hub's public URL for this integration's callouts.
    :param streams: the streams to subscribe to (those declaring ``webhooks``).
    :param gate: the call gate for remote calls.
    :param fields: per stream, the remote fields the hub maps (subscribe to
        changes of these; the connector may add its own defaults).
    """


@hookspec(firstresult=True)
def hub_unregister_webhooks(
    connector: str,
    settings: Mapping[str, Any],
    registrations: list[WebhookRegistration],
    gate: CallGate,
) -> bool | None:
    """Remove the given remote webhooks; return ``True`` when done.

    Stops at the first non-None result.

    :param connector: the connector's name.
    :param settings: the validated settings.
    :param registrations: what :func:`hub_register_webhooks` returned.
    :param gate: the call gate for remote calls.
    """


@hookspec(firstresult=True)
def hub_verify_webhook(
    connector: str,
    registrations: list[WebhookRegistration],
    headers: Mapping[str, str],
    body: bytes,
) -> WebhookEvent | None:
    """Return the event of a webhook delivery whose signature is valid.

    Stops at the first non-None result. Raises :class:`hub.errors.AuthenticationFailed`
    when the signature is missing or wrong; must compare in constant time.

    :param connector: the connector's name.
    :param registrations: the integration's webhooks, with their secrets.
    :param headers: the request headers.
    :param body: the raw request body, exactly as received.
    """


@hookspec(firstresult=True)
def hub_fetch_records(
    connector: str,
    settings: Mapping[str, Any],
    stream: str,
    remote_ids: list[str],
    gate: CallGate,
) -> list[Record] | None:
    """Return the current full records of ``stream`` with these primary keys.

    Stops at the first non-None result. Records that no longer exist (or are
    no longer visible) are left out. The core calls it after a webhook
    delivery, to store the whole record in the mirror.

    :param connector: the connector's name.
    :param settings: the validated settings.
    :param stream: the stream's name.
    :param remote_ids: the primary keys to read.
    :param gate: the call gate for remote calls.
    """


@hookspec(firstresult=True)
def hub_warranty_lookup(
    serial_number: str, manufacturer: str | None, model: str | None
) -> WarrantyFound | None:
    """Return the warranty expiration date of one asset, looked up by its serial number.

    Stops at the first non-None result: a plugin returns ``None`` for assets
    it does not know (another manufacturer's, say). Not a connector hook: any
    plugin may answer (a vendor's warranty API, a spreadsheet it ships, ...).
    Raise :class:`hub.errors.HubError` with words an admin can act on when
    the lookup itself fails; the hub reports it for that asset and goes on.

    :param serial_number: the asset's serial number (never empty).
    :param manufacturer: the asset's manufacturer name, if known.
    :param model: the asset's model, if known.
    """


@hookspec
def hub_sandbox_commands(register: Callable[[click.Command], None]) -> None:
    """Register ``hub sandbox <name>`` commands that start a simulator of the remote system.

    :param register: call with a click command; its name is the sandbox's name.
    """


@hookspec
def hub_demo_integrations(register: Callable[[DemoIntegration], None]) -> None:
    """Register integrations that ``hub demo`` sets up for its demo tenant.

    A plugin whose remote system is simulated may start its sandbox here (in
    the demo process) and register settings that reach it.

    :param register: call with a :class:`DemoIntegration` per integration.
    """
