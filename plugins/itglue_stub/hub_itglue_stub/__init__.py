"""A minimal IT Glue-shaped connector for the hub, serving a bundled data set.

It exists to prove the hook contract is not shaped by one PSA: documentation
records, string ids, an ``updated-at`` change field, paging by id, id-range
partitions, write-back of one field and HMAC-signed webhooks. Nothing leaves
the process and nothing is written to a database.
"""
