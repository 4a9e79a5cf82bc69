"""The connector contract suite: subclass :class:`ConnectorContract` to run it.

::

    from hub.testing import ConnectorContract

    class TestMyContract(ConnectorContract):
        connector = "my_connector"

        @pytest.fixture
        def settings(self) -> dict:
            return {"api_key": "..."}

Tests that concern one stream are parametrized by the connector's stream
names. Nothing here names a connector; everything goes through the public
facade (:func:`hub.connectors.get_connector`).
"""

from __future__ import annotations

import json
import re
from collections import Counter
from typing import Any, ClassVar

import pytest
from marshmallow import Schema

from hub import plugins
from hub.connector import FieldInfo, PicklistValue, StreamSpec
from hub.connectors import Connector, get_connector
from hub.errors import ValidationFailed
from hub.sync.timestamps import format_timestamp, parse_timestamp
from hub.testing.gates import CountingGate
from hub.testing.pull import checkpoint, pull_page, pull_partition, pull_stream

HUB_MODELS = frozenset(
    {
        "company",
        "company_type",
        "company_status",
        "contact",
        "asset",
        "asset_type",
        "asset_status",
        "contract",
        "contract_service",
        "opportunity",
        "ticket",
        "project",
    }
)
SNAKE_CASE = re.compile(r"^[a-z][a-z0-9]*(_[a-z0-9]+)*$")
SECRET_LOOKING = re.compile(r"secret|password|passwd|token|api_?key|private", re.IGNORECASE)


def _stream_names(connector: str) -> list[str]:
    try:
        return [spec.name for spec in get_connector(connector).streams()] or ["<no-streams>"]
    except Exception:  # reported by test_describe_registered, with the real error
        return ["<unavailable>"]


class ConnectorContract:
    """What every connector plugin must do; subclass it, set ``connector``, give ``settings``."""

    connector: ClassVar[str] = ""
    pytestmark = [pytest.mark.contract]

    def pytest_generate_tests(self, metafunc: pytest.Metafunc) -> None:
        """Parametrize per-stream tests by the connector's stream names."""
        if "stream" in metafunc.fixturenames:
            metafunc.parametrize("stream", _stream_names(self.connector))

    @pytest.fixture
    def settings(self) -> dict[str, Any]:
        """Working settings for the connector: a subclass must override this fixture."""
        pytest.fail(f"{type(self).__name__} must define a `settings` fixture")

    @pytest.fixture
    def contract_connector(self) -> Connector:
        """The connector under test, through the hub's facade."""
        assert self.connector, f"{type(self).__name__} must set `connector = '<name>'`"
        return get_connector(self.connector)

    @pytest.fixture
    def contract_settings(
        self, contract_connector: Connector, settings: dict[str, Any]
    ) -> dict[str, Any]:
        """The ``settings`` fixture after the connector's own validation."""
        return contract_connector.validate_settings(settings)

    @pytest.fixture
    def spec(self, contract_connector: Connector, stream: str) -> StreamSpec:
        """The stream under test."""
        return contract_connector.stream(stream)

    # describe

    def test_describe_registered(self) -> None:
        """The connector is registered under its name."""
        known = plugins.connectors()
        assert self.connector in known, f"{self.connector!r} is not registered: {sorted(known)}"
        assert known[self.connector].name == self.connector

    def test_describe_label_and_kind(self, contract_connector: Connector) -> None:
        """The connector has a label, a kind and says whether it can be primary."""
        info = contract_connector.info
        assert isinstance(info.label, str) and info.label.strip(), "the label is empty"
        assert isinstance(info.kind, str) and info.kind.strip(), "the kind is empty"
        assert isinstance(info.can_be_primary, bool)

    def test_describe_secret_fields_marked(self, contract_connector: Connector) -> None:
        """The settings schema marks its credentials ``secret``."""
        schema = contract_connector.info.settings_schema
        assert isinstance(schema, type) and issubclass(schema, Schema)
        secrets = set(contract_connector.secret_fields)
        assert secrets, "no settings field is marked metadata={'secret': True}"
        unmarked = [n for n in schema().fields if SECRET_LOOKING.search(n) and n not in secrets]
        assert not unmarked, f"fields that look secret are not marked secret: {unmarked}"

    def test_describe_settings_validate(
        self, contract_connector: Connector, settings: dict[str, Any]
    ) -> None:
        """Good settings validate; empty settings fail naming every required field."""
        assert isinstance(contract_connector.validate_settings(settings), dict)
        required = [
            n for n, f in contract_connector.info.settings_schema().fields.items() if f.required
        ]
        if required:
            with pytest.raises(ValidationFailed) as caught:
                contract_connector.validate_settings({})
            missing = [n for n in required if n not in caught.value.errors]
            assert not missing, f"required fields not reported when empty: {missing}"

    # check and discover

    def test_check_connection_ok(
        self, contract_connector: Connector, contract_settings: dict[str, Any]
    ) -> None:
        """The connection test passes and reports read access for every stream."""
        gate = CountingGate()
        report = contract_connector.check_connection(contract_settings, gate)
        assert report.ok, f"connection test failed: {report.message}"
        assert isinstance(report.message, str)
        assert gate.total > 0, "the connection test made no call through the gate"
        assert gate.in_flight == 0, "a gated call was left in flight"
        reported = Counter(e.stream for e in report.entities)
        names = [s.name for s in contract_connector.streams()]
        assert sorted(reported) == sorted(names), "entities must list every stream once"
        assert all(n == 1 for n in reported.values()), f"streams reported twice: {reported}"
        unreadable = [e.stream for e in report.entities if not e.readable]
        assert not unreadable, f"streams not readable with the test settings: {unreadable}"

    def test_list_streams(self, contract_connector: Connector) -> None:
        """Streams have unique snake_case names, a primary key and a known hub model."""
        streams = contract_connector.streams()
        assert streams, "the connector lists no streams"
        assert all(isinstance(s, StreamSpec) for s in streams)
        names = [s.name for s in streams]
        assert len(names) == len(set(names)), f"duplicate stream names: {names}"
        bad = [n for n in names if not SNAKE_CASE.match(n)]
        assert not bad, f"stream names must be snake_case: {bad}"
        models = {s.name: s.hub_model for s in streams if s.hub_model is not None}
        unknown = {n: m for n, m in models.items() if m not in HUB_MODELS}
        assert not unknown, f"unknown hub models {unknown}; known: {sorted(HUB_MODELS)}"
        assert all(s.primary_key for s in streams), "every stream needs a primary key"
        assert all(s.change_field is None or s.change_field for s in streams)

    # pull

    def test_pull_to_the_end(
        self,
        contract_connector: Connector,
        contract_settings: dict[str, Any],
        spec: StreamSpec,
    ) -> None:
        """Every partition is pulled to its end, every page through the gate."""
        gate = CountingGate()
        result = pull_stream(contract_connector, contract_settings, spec.name, gate)
        assert result.pages >= 1
        assert all(isinstance(r, dict) for r in result.records)
        pulled, total = len(result.records), result.plan.total
        assert total is None or pulled == total, f"the plan said {total} records, pulled {pulled}"
        if spec.change_field:
            missing = [
                r.get(spec.primary_key) for r in result.records if spec.change_field not in r
            ]
            assert not missing, f"records without {spec.change_field!r}: {missing[:10]}"

    def test_primary_keys_unique_and_non_null(
        self,
        contract_connector: Connector,
        contract_settings: dict[str, Any],
        spec: StreamSpec,
    ) -> None:
        """Across all partitions and pages, primary keys are present, non-null and unique."""
        records = pull_stream(contract_connector, contract_settings, spec.name).records
        keys = [r.get(spec.primary_key) for r in records]
        assert None not in keys, f"records without {spec.primary_key!r}"
        twice = [k for k, n in Counter(keys).items() if n > 1]
        assert not twice, f"primary keys pulled twice: {twice[:10]}"

    def test_resume_from_checkpoint(
        self,
        contract_connector: Connector,
        contract_settings: dict[str, Any],
        spec: StreamSpec,
    ) -> None:
        """Pull one page, lose the process, resume from the stored cursor: no loss, no repeat."""
        straight = pull_stream(contract_connector, contract_settings, spec.name)
        key = spec.primary_key
        resumed: list[Any] = []
        plan = contract_connector.plan_pull(contract_settings, spec.name, None, CountingGate())
        for cursor in plan.cursors:
            first = pull_page(
                contract_connector, contract_settings, spec.name, checkpoint(cursor), CountingGate()
            )
            stored = json.dumps(first.next_cursor)  # the checkpoint, as the core keeps it
            rest, _ = pull_partition(
                contract_connector, contract_settings, spec.name, json.loads(stored), CountingGate()
            )
            resumed.extend(r[key] for r in [*first.records, *rest])
        twice = [k for k, n in Counter(resumed).items() if n > 1]
        assert not twice, f"resuming pulled records twice: {twice[:10]}"
        expected = sorted(map(str, (r[key] for r in straight.records)))
        assert sorted(map(str, resumed)) == expected, "resumed pull differs from a straight one"

    def test_incremental_since_is_subset(
        self,
        contract_connector: Connector,
        contract_settings: dict[str, Any],
        spec: StreamSpec,
    ) -> None:
        """A pull ``since`` a watermark returns exactly the records changed after it, or more."""
        if spec.change_field is None:
            pytest.skip(f"{spec.name} has no change field: it is always pulled in full")
        full = pull_stream(contract_connector, contract_settings, spec.name).records
        moments = sorted({m for r in full if (m := parse_timestamp(r.get(spec.change_field)))})
        if len(moments) < 2:
            pytest.skip(f"{spec.name} has fewer than two distinct change times")
        watermark = moments[len(moments) // 2]
        since = format_timestamp(watermark)  # the form the core passes
        recent = pull_stream(contract_connector, contract_settings, spec.name, since=since).records
        key, field = spec.primary_key, spec.change_field
        full_keys = {r[key] for r in full}
        recent_keys = {r[key] for r in recent}
        assert recent_keys <= full_keys, "a since-pull returned records a full pull did not"
        assert len(recent_keys) < len(full_keys), f"since={since} filtered nothing out"
        changed = {r[key] for r in full if (m := parse_timestamp(r.get(field))) and m > watermark}
        missed = changed - recent_keys
        assert not missed, f"records changed after {since} were not pulled: {sorted(missed)[:10]}"
        older = [r[key] for r in recent if (m := parse_timestamp(r.get(field))) and m < watermark]
        assert not older, f"records changed before {since} were pulled: {older[:10]}"

    def test_ids_only_returns_primary_keys(
        self,
        contract_connector: Connector,
        contract_settings: dict[str, Any],
        spec: StreamSpec,
    ) -> None:
        """An ids-only pull returns only primary keys, the same ones as a full pull."""
        ids = pull_stream(contract_connector, contract_settings, spec.name, ids_only=True).records
        extra = {k for r in ids for k in r if k != spec.primary_key}
        assert not extra, f"ids-only records carry more than {spec.primary_key!r}: {extra}"
        full = pull_stream(contract_connector, contract_settings, spec.name).records
        key = spec.primary_key
        assert sorted(str(r.get(key)) for r in ids) == sorted(str(r[key]) for r in full)

    def test_field_metadata_well_formed(
        self,
        contract_connector: Connector,
        contract_settings: dict[str, Any],
        spec: StreamSpec,
    ) -> None:
        """Field metadata lists unique, labelled, typed fields, the primary key among them."""
        gate = CountingGate()
        fields = contract_connector.field_metadata(contract_settings, spec.name, gate)
        assert fields, f"{spec.name}: no field metadata"
        assert all(isinstance(f, FieldInfo) for f in fields), "field metadata must be FieldInfo"
        names = [f.name for f in fields]
        assert len(names) == len(set(names)), f"duplicate field names: {names}"
        assert spec.primary_key in names, f"the primary key {spec.primary_key!r} is not listed"
        for f in fields:
            assert f.name and f.label and f.data_type, f"field without name/label/type: {f}"
            values = [p.value for p in f.picklist]
            assert all(isinstance(p, PicklistValue) for p in f.picklist)
            assert len(values) == len(set(values)), f"{f.name}: duplicate picklist values"
        assert gate.in_flight == 0, "a gated call was left in flight"
