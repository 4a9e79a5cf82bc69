"""SQLite writer turns: one writer at a time, applies before the page writes already waiting."""

from __future__ import annotations

import threading
import time
from pathlib import Path

from hub.sync.pull import _WriterTurns


def test_a_priority_writer_goes_before_the_writers_already_waiting(tmp_path: Path) -> None:
    turns = _WriterTurns()
    database = str(tmp_path / "hub.db")
    order: list[str] = []
    holding = threading.Event()
    release = threading.Event()

    def first() -> None:
        with turns.turn(database, priority=False):
            holding.set()
            release.wait(5)
            order.append("first")

    def writer(name: str, priority: bool) -> None:
        with turns.turn(database, priority=priority):
            order.append(name)

    threads = [threading.Thread(target=first)]
    threads[0].start()
    holding.wait(5)
    for name, priority in (("page 1", False), ("page 2", False), ("apply", True)):
        thread = threading.Thread(target=writer, args=(name, priority))
        thread.start()
        threads.append(thread)
        time.sleep(0.05)  # each is waiting before the next arrives
    release.set()
    for thread in threads:
        thread.join(5)
    assert order[:2] == ["first", "apply"]
    assert sorted(order[2:]) == ["page 1", "page 2"]
    assert (tmp_path / "hub.db-writer").exists()  # the turn is also taken across processes


def _take_turn(database: str, stamp: str) -> None:
    with _WriterTurns().turn(database, priority=False):
        Path(stamp).write_text(repr(time.monotonic()))


def test_another_process_waits_for_the_turn(tmp_path: Path) -> None:
    import multiprocessing

    turns = _WriterTurns()
    database, stamp = str(tmp_path / "hub.db"), str(tmp_path / "stamp")
    with turns.turn(database, priority=False):
        other = multiprocessing.get_context("fork").Process(
            target=_take_turn, args=(database, stamp)
        )
        other.start()
        time.sleep(0.3)
        assert not Path(stamp).exists()  # still waiting for this process's turn to end
        released = time.monotonic()
    other.join(5)
    assert other.exitcode == 0
    assert float(Path(stamp).read_text()) >= released
