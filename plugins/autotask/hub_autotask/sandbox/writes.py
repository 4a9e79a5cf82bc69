"""Creating, updating, replacing and deleting records, with Autotask's rules.

API writes are validated the way Autotask validates them: read-only fields
are silently ignored, unknown picklist values, missing required fields,
unknown references, over-long strings and badly typed values give 500 with a
message, ``PUT`` nulls every writable field the body leaves out. Control
writes (``trusted=True``) skip the rules so tests can set up any state.
Every committed change bumps the entity's change field and is reported to
the ``on_change`` callback (which feeds webhooks).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

from hub_autotask.sandbox import catalog
from hub_autotask.sandbox.catalog import REFERENCES, EntitySpec, is_read_only
from hub_autotask.sandbox.dates import format_instant, instant_key, utc_now
from hub_autotask.sandbox.errors import business_rule
from hub_autotask.sandbox.metadata import picklist_for
from hub_autotask.sandbox.store import Row, Store, Table

ChangeSink = Callable[[str, str, int, Row | None, Row | None, int], None]
DATE_ONLY = frozenset(
    {
        "installDate",
        "warrantyExpirationDate",
        "startDate",
        "endDate",
        "projectedCloseDate",
        "closedDate",
        "hireDate",
        "promisedFulfillmentDate",
        "throughDate",
        "lostDate",
        "approveAndPostDate",
    }
)
CREATED_FIELDS = ("createDate", "createDateTime", "createdTime")


def now_text() -> str:
    """Return the current instant formatted as Autotask stamps change fields."""
    return format_instant(utc_now())


class Writer:
    """Applies writes to a :class:`Store` and reports them."""

    def __init__(self, store: Store, on_change: ChangeSink, seed: int) -> None:
        """Create a writer over ``store`` that reports changes to ``on_change``."""
        self.store = store
        self.on_change = on_change
        self._uuid_counter = seed * 1_000_003

    def create(
        self,
        entity: str,
        body: dict[str, Any],
        person: int,
        *,
        parent_id: int | None = None,
        trusted: bool = False,
    ) -> int:
        """Create a record and return its id."""
        table = self.store.table(entity)
        spec = table.spec
        with self.store.lock:
            self._check_parent(spec, parent_id, body)
            row = table.blank()
            self._apply(table, row, body, trusted, replace=False)
            if parent_id is not None and spec.parent:
                row[table.column[spec.parent.field]] = parent_id
            record_id = (
                int(body["id"]) if trusted and body.get("id") is not None else table.allocate_id()
            )
            row[0] = record_id
            self._stamp_new(table, row, person)
            if not trusted:
                self._validate(table, row)
            self._bump(table, row, body if trusted else {})
            table.put(row)
        self.on_change(spec.name, "Create", record_id, None, row, person)
        return record_id

    def update(
        self,
        entity: str,
        body: dict[str, Any],
        person: int,
        *,
        parent_id: int | None = None,
        replace: bool = False,
        trusted: bool = False,
    ) -> int:
        """Update (PATCH) or replace (PUT) the record whose ``id`` is in ``body``."""
        table = self.store.table(entity)
        spec = table.spec
        record_id = _as_int(body.get("id"), "id")
        with self.store.lock:
            before = table.get(record_id)
            if before is None or (
                parent_id is not None
                and spec.parent
                and before[table.column[spec.parent.field]] != parent_id
            ):
                raise business_rule(f"Unable to find {spec.singular} with id {record_id}.")
            row = list(before)
            if replace:
                for name in table.fields:
                    if (
                        not is_read_only(spec, name)
                        and name not in body
                        and not (spec.parent and name == spec.parent.field)
                    ):
                        row[table.column[name]] = None
                row[table.udf_slot] = (None,) * len(table.udfs)
            self._apply(table, row, body, trusted, replace)
            if not trusted:
                self._validate(table, row)
            self._bump(table, row, body if trusted else {})
            table.put(row)
        self.on_change(spec.name, "Update", record_id, before, row, person)
        return record_id

    def delete(
        self, entity: str, record_id: int, person: int, *, parent_id: int | None = None
    ) -> Row:
        """Delete a record (and a webhook's Fields); return the deleted row."""
        table = self.store.table(entity)
        spec = table.spec
        with self.store.lock:
            row = table.get(record_id)
            if row is None or (
                parent_id is not None
                and spec.parent
                and row[table.column[spec.parent.field]] != parent_id
            ):
                raise business_rule(f"Unable to find {spec.singular} with id {record_id}.")
            table.remove(record_id)
            for child in catalog.SPECS:
                if child.parent and child.parent.parent == spec.name and child.webhook_target:
                    children = self.store.table(child.name)
                    column = children.column[child.parent.field]
                    for orphan in [r[0] for r in children.iter_from(0) if r[column] == record_id]:
                        children.remove(orphan)
        self.on_change(spec.name, "Delete", record_id, row, None, person)
        return row

    def _check_parent(self, spec: EntitySpec, parent_id: int | None, body: dict[str, Any]) -> None:
        if parent_id is None or not spec.parent:
            return
        if self.store.table(spec.parent.parent).get(parent_id) is None:
            raise business_rule(f"Unable to find parent {spec.parent.parent} id {parent_id}.")
        given = body.get(spec.parent.field)
        if given is not None and _as_int(given, spec.parent.field) != parent_id:
            raise business_rule(f"{spec.parent.field} does not match the parent id in the URL.")

    def _apply(
        self, table: Table, row: Row, body: dict[str, Any], trusted: bool, replace: bool
    ) -> None:
        spec = table.spec
        for key, value in body.items():
            if key == "userDefinedFields":
                self._apply_udfs(table, row, value, trusted)
                continue
            name = table.by_lower.get(str(key).lower())
            if name is None:
                if trusted:
                    raise KeyError(f"{spec.name} has no field {key!r}")
                continue  # Autotask ignores properties its model does not know.
            if name == "id" or (not trusted and is_read_only(spec, name)):
                continue
            row[table.column[name]] = value if trusted else _convert(table, name, value)

    def _apply_udfs(self, table: Table, row: Row, items: Any, trusted: bool) -> None:
        if not isinstance(items, list):
            raise business_rule("userDefinedFields must be an array")
        values = list(row[table.udf_slot] or (None,) * len(table.udfs))
        for item in items:
            name = str(item.get("name", "")) if isinstance(item, dict) else ""
            index = table.udf_index.get(name.lower())
            if index is None:
                raise business_rule(f"Unable to find user-defined field '{name}'.")
            udf = table.udfs[index]
            value = item.get("value")
            if value is not None and not trusted:
                value = str(value)
                if udf.type == "decimal":
                    try:
                        value = f"{float(value):.4f}"
                    except ValueError as exc:
                        raise business_rule(f"'{value}' is not a number ({name}).") from exc
                elif udf.choices and value not in udf.choices:
                    raise business_rule(f"'{value}' is not a valid value for {name}.")
            values[index] = value
        row[table.udf_slot] = tuple(values)

    def _validate(self, table: Table, row: Row) -> None:
        spec = table.spec
        for name in spec.required:
            if row[table.column[name]] in (None, ""):
                raise business_rule(f"The {name} field is required for {spec.singular}.")
        for name in table.fields:
            value = row[table.column[name]]
            if value is None:
                continue
            picklist = picklist_for(self.store, spec, name)
            if picklist is not None:
                match = next((p for p in picklist if p.value == value), None)
                if match is None or not match.is_active:
                    raise business_rule(
                        f"Value {value} is not a valid picklist value for {spec.singular}.{name}."
                    )
                continue
            target = REFERENCES.get(name)
            if (
                target
                and not (spec.webhook_target and name == "ownerResourceID")
                and self.store.table(target).get(value) is None
            ):
                raise business_rule(
                    f"{spec.singular}.{name}: {catalog.BY_NAME[target].singular} "
                    f"with id {value} does not exist."
                )
        if spec.name == "Tickets":
            _check_ticket(table, row)

    def _stamp_new(self, table: Table, row: Row, person: int) -> None:
        stamp = now_text()
        for name in CREATED_FIELDS:
            if name in table.column and row[table.column[name]] is None:
                row[table.column[name]] = stamp
        for name in ("createdByResourceID", "creatorResourceID", "createdByPersonID"):
            if name in table.column and row[table.column[name]] is None:
                row[table.column[name]] = person
        if table.spec.webhook_target and "webhookGUID" in table.column:
            self._uuid_counter += 1
            row[table.column["webhookGUID"]] = str(
                uuid.UUID(int=self._uuid_counter * 7919 + 2**120)
            )
            row[table.column["isReady"]] = True
            row[table.column["ownerResourceID"]] = person
        if table.name == "Tickets" and row[table.column["ticketNumber"]] is None:
            row[table.column["ticketNumber"]] = (
                f"T{stamp[:10].replace('-', '')}.{row[0] % 10000:04d}"
            )

    def _bump(self, table: Table, row: Row, explicit: dict[str, Any]) -> None:
        spec = table.spec
        stamp = now_text()
        for name in (spec.change_field, *spec.also_bumped):
            if name and name not in explicit:
                row[table.column[name]] = stamp


def _check_ticket(table: Table, row: Row) -> None:
    assigned = row[table.column["assignedResourceID"]]
    role = row[table.column["assignedResourceRoleID"]]
    if (assigned is None) != (role is None):
        raise business_rule(
            "When assigning a Resource, you must assign both a "
            "assignedResourceID and assignedResourceRoleID."
        )
    issue, sub = row[table.column["issueType"]], row[table.column["subIssueType"]]
    if sub is not None and (issue is None or sub // 100 != issue):
        raise business_rule(f"Sub-issue type {sub} does not belong to issue type {issue}.")


def _as_int(value: Any, name: str) -> int:
    if isinstance(value, bool) or value is None:
        raise business_rule(f"The {name} field is required.")
    try:
        return int(value)
    except (TypeError, ValueError) as exc:
        raise business_rule(f"'{value}' is not a valid value for {name}.") from exc


def _convert(table: Table, name: str, value: Any) -> Any:
    if value is None:
        return None
    type_name, fmt = table.types[name]
    label = f"{table.spec.singular}.{name}"
    if type_name == "integer":
        return _as_int(value, label)
    if type_name == "number":
        if isinstance(value, bool):
            raise business_rule(f"'{value}' is not a valid value for {label}.")
        try:
            return float(value)
        except (TypeError, ValueError) as exc:
            raise business_rule(f"'{value}' is not a valid value for {label}.") from exc
    if type_name == "boolean":
        if isinstance(value, bool):
            return value
        if str(value).lower() in ("true", "false", "1", "0"):
            return str(value).lower() in ("true", "1")
        raise business_rule(f"'{value}' is not a valid value for {label}.")
    if fmt == "date-time":
        try:
            key = instant_key(str(value))
        except ValueError as exc:
            raise business_rule(f"'{value}' is not a valid date for {label}.") from exc
        if name in DATE_ONLY:
            return f"{str(value).strip()[:10]}T00:00:00"
        seconds, fraction = key.split(".")
        fraction = fraction.rstrip("0")
        return f"{seconds}.{fraction}Z" if fraction else f"{seconds}Z"
    text = value if isinstance(value, str) else str(value)
    limit = table.spec.lengths.get(name, 100 if name not in ("notes", "description") else 8000)
    if len(text) > limit:
        raise business_rule(f"{label} exceeds the maximum length of {limit} characters.")
    return text
