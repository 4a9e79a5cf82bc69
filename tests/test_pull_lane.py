"""A lane shares out the partition with the most records left, when a slot is free."""

from __future__ import annotations

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
