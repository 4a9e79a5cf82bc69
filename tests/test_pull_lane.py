"""A lane shares out the partition with the most records left, when a slot is free.

It also says up to when a stream's pages are stored, and how many records
that is, for applying a long stream part-way.
"""

from __future__ import annotations

import pytest

from hub.sync.pull import Lane


def _lane(total: int) -> Lane:
    lane = Lane(lambda _stream, _partition: None, parallel=3)
    lane.totals["tickets"], lane.pulled["tickets"] = total, 0  # as the stream's run row says
    return lane


def test_the_partition_with_the_most_left_splits_into_the_free_slots() -> None:
    lane = _lane(10_000)
    lane.start(1, "tickets", 1)
    lane.start(1, "tickets", 2)
    # Partition 1 (a bounded range) has 500 left; partition 2 (open-ended) has the rest.
    assert lane.split_wanted("tickets", 1, 500, 500, 500) is None  # the longer one will split
    assert lane.split_wanted("tickets", 2, 500, 500, None) == (10_000 - 1_000 - 500, 2)


def test_no_split_without_a_free_slot_or_enough_pages() -> None:
    lane = _lane(100_000)
    for partition in (1, 2, 3):
        lane.start(1, "tickets", partition)
    assert lane.split_wanted("tickets", 1, 500, 500, 50_000) is None  # all three slots busy
    lane.end("tickets", 3)
    assert lane.split_wanted("tickets", 1, 500, 500, 50_000) == (50_000, 2)
    lane.end("tickets", 2)
    # Every part would end on a part-filled page: a few pages left are not worth splitting.
    assert lane.split_wanted("tickets", 1, 500, 500, 1_500) is None


def test_settled_counts_only_pages_stored_before_the_oldest_still_storing() -> None:
    lane = _lane(2_000)
    first = lane.storing_page("tickets", 500)
    older = first.__enter__()
    with lane.storing_page("tickets", 400) as newer:
        assert newer > older
        assert lane.settled("tickets") == (older, 0)  # nothing is stored yet
    # The later page committed first: its rows are past the settled time, so not counted.
    assert lane.settled("tickets") == (older, 0)
    first.__exit__(None, None, None)
    upto, records = lane.settled("tickets")
    assert upto > newer and records == 900


def test_a_page_that_fails_to_store_does_not_count() -> None:
    lane = _lane(1_000)
    with pytest.raises(RuntimeError), lane.storing_page("tickets", 500):
        raise RuntimeError("the database went away")
    assert lane.settled("tickets")[1] == 0
    with lane.storing_page("tickets", 300):
        pass
    assert lane.settled("tickets")[1] == 300
