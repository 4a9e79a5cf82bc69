"""The plugin manager: loads connector plugins from the ``hub`` entry-point group.

``HUB_LOAD_PLUGINS`` (comma-separated entry-point names) loads only those;
``HUB_DISABLED_PLUGINS`` skips the named ones. Loading is idempotent.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable
from dataclasses import dataclass
from importlib import metadata
from typing import Any

import click
import pluggy

from hub import hookspecs
from hub.connector import ConnectorInfo
from hub.errors import ConfigurationError

pm = pluggy.PluginManager("hub")
pm.add_hookspecs(hookspecs)

log = logging.getLogger(__name__)

_loaded = False
_connectors: dict[str, ConnectorInfo] = {}
_sandboxes: dict[str, click.Command] = {}
failures: dict[str, str] = {}


@dataclass(frozen=True)
class PluginInfo:
    """A loaded plugin as ``hub plugins`` shows it."""

    name: str
    module: str
    distribution: str | None
    version: str | None
    hooks: list[str]


def _names(variable: str) -> set[str] | None:
    raw = os.environ.get(variable, "").strip()
    return {n.strip() for n in raw.split(",") if n.strip()} if raw else None


def load_plugins() -> None:
    """Load every enabled entry-point plugin once, then check hook names."""
    global _loaded
    if _loaded:
        return
    allowed = _names("HUB_LOAD_PLUGINS")
    disabled = _names("HUB_DISABLED_PLUGINS") or set()
    for ep in metadata.entry_points(group="hub"):
        if (allowed is not None and ep.name not in allowed) or ep.name in disabled:
            continue
        if pm.get_plugin(ep.name) is None and ep.name not in failures:
            try:
                pm.register(ep.load(), name=ep.name)
            except Exception as exc:  # a broken plugin must not take the others down
                _fail(ep.name, exc)
    pm.check_pending()
    _collect()
    _loaded = True


def register_plugin(plugin: object, name: str) -> None:
    """Register a plugin object directly (tests and embedding), then re-collect."""
    if pm.get_plugin(name) is None:
        pm.register(plugin, name=name)
    pm.check_pending()
    _collect()


def unregister_plugin(name: str) -> None:
    """Remove a directly registered plugin and forget its connectors."""
    plugin = pm.get_plugin(name)
    if plugin is not None:
        pm.unregister(plugin)
    _collect()


def _collect() -> None:
    connectors: dict[str, ConnectorInfo] = {}
    sandboxes: dict[str, click.Command] = {}

    def register_connector(info: ConnectorInfo) -> None:
        if info.name in connectors:
            raise ConfigurationError(f"connector {info.name!r} is registered by two plugins")
        connectors[info.name] = info

    def register_sandbox(command: click.Command) -> None:
        if command.name in sandboxes:
            raise ConfigurationError(f"sandbox {command.name!r} is registered by two plugins")
        sandboxes[str(command.name)] = command

    _call_each("hub_register_connectors", register_connector)
    _call_each("hub_sandbox_commands", register_sandbox)
    _connectors.clear()
    _connectors.update(connectors)
    _sandboxes.clear()
    _sandboxes.update(sandboxes)


def _fail(name: str, exc: Exception) -> None:
    failures[name] = f"{type(exc).__name__}: {exc}"
    log.error("plugin %s failed to load and is skipped: %s", name, failures[name])


def _call_each(hook_name: str, register: Callable[[Any], None]) -> None:
    """Call a registration hook plugin by plugin, so one failing plugin is skipped alone."""
    for impl in getattr(pm.hook, hook_name).get_hookimpls():
        try:
            impl.function(register=register)
        except ConfigurationError:
            raise
        except Exception as exc:
            _fail(impl.plugin_name, exc)


def connectors() -> dict[str, ConnectorInfo]:
    """Return every registered connector by name."""
    load_plugins()
    return dict(_connectors)


def sandbox_commands() -> dict[str, click.Command]:
    """Return every plugin-provided sandbox command by name."""
    load_plugins()
    return dict(_sandboxes)


def plugin_infos() -> list[PluginInfo]:
    """Describe every loaded plugin: distribution, version and implemented hooks."""
    load_plugins()
    infos = []
    for name, plugin in sorted(pm.list_name_plugin(), key=lambda item: str(item[0])):
        if plugin is None:
            continue
        hooks = sorted(h.name for h in pm.get_hookcallers(plugin) or [])
        module = getattr(plugin, "__name__", type(plugin).__name__)
        dist_name, version = _distribution_of(module)
        infos.append(PluginInfo(str(name), module, dist_name, version, hooks))
    return infos


def _distribution_of(module: str) -> tuple[str | None, str | None]:
    top = module.split(".")[0]
    for dist_name in metadata.packages_distributions().get(top, []):
        try:
            return dist_name, metadata.version(dist_name)
        except metadata.PackageNotFoundError:
            continue
    return None, None
