"""``hub sandbox autotask``: serve the Autotask sandbox until Ctrl-C."""

from __future__ import annotations

import json
import threading
from pathlib import Path
from typing import TYPE_CHECKING

import click

if TYPE_CHECKING:
    from hub_autotask.sandbox.sandbox import Sandbox


def settings_line(sandbox: Sandbox) -> str:
    """Return the one-line settings an integration needs to connect."""
    creds = sandbox.credentials
    return (
        f"username={creds['username']} secret={creds['secret']} "
        f"integration_code={creds['integration_code']} "
        f"zone_lookup_url={sandbox.zone_lookup_url}"
    )


@click.command("autotask")
@click.option("--host", default="127.0.0.1", show_default=True, help="Interface to listen on.")
@click.option("--port", default=0, type=int, help="Port (0 picks a free one).")
@click.option(
    "--scale",
    type=click.Choice(["small", "medium", "large"]),
    default="small",
    show_default=True,
    help="Size of the generated data set.",
)
@click.option(
    "--seed", default=1, type=int, show_default=True, help="Seed of data and credentials."
)
@click.option(
    "--latency-ms",
    default=0.0,
    type=float,
    show_default=True,
    help="Latency added to every API call.",
)
@click.option(
    "--fault-rate",
    default=0.0,
    type=float,
    show_default=True,
    help="Share of API calls that fail (429, 500, slow, dropped).",
)
@click.option(
    "--thread-limit",
    default=3,
    type=int,
    show_default=True,
    help="Concurrent requests per integration and endpoint.",
)
@click.option(
    "--hourly-limit", default=10000, type=int, show_default=True, help="Requests per rolling hour."
)
@click.option(
    "--settings-file",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Also write username, secret and integration_code as JSON here.",
)
def command(
    host: str,
    port: int,
    scale: str,
    seed: int,
    latency_ms: float,
    fault_rate: float,
    thread_limit: int,
    hourly_limit: int,
    settings_file: Path | None,
) -> None:
    """Serve a simulated Autotask REST API (with its quirks) until Ctrl-C."""
    # Imported here: every ``hub`` command registers this one, and the simulator's
    # data catalogue is slow to import.
    from hub_autotask.sandbox.sandbox import Sandbox

    sandbox = Sandbox(
        scale=scale,
        seed=seed,
        latency_ms=latency_ms,
        fault_rate=fault_rate,
        thread_limit=thread_limit,
        hourly_limit=hourly_limit,
        host=host,
        port=port,
    )
    sandbox.start()
    if settings_file is not None:
        settings_file.write_text(json.dumps(sandbox.credentials), encoding="utf-8")
    click.echo(settings_line(sandbox))
    click.echo(f"zone_url={sandbox.zone_url}")
    click.echo(f"control_url={sandbox.control_url}")
    click.echo("Serving the Autotask sandbox; press Ctrl-C to stop.", err=True)
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        click.echo("Stopping.", err=True)
    finally:
        sandbox.stop()
