"""Transaction-scoped locks on client UUIDs, so a row keyed by a device's UUID is looked up and
inserted without a race, and without a statement that fails.

Two overlapping pushes (a retry racing its original, two batches naming one geotag) used to both
find a new UUID absent and both insert it: the loser's INSERT or COPY failed on the unique index,
was caught and answered like a retry. Correct, but a failing statement (PostgreSQL logs failed
statements, with their values unless told otherwise; docs/operations.md) and a rolled-back batch
redone family by family. Now a writer takes `pg_advisory_xact_lock` on the UUIDs it is about to
create before it looks for them: the second writer waits until the first commits, then finds the
row and answers it as the retry it is.

Keys: the two-integer form (a namespace of our own, then 32 bits folded from the UUID), so they
never meet the single-key locks of other code (ranking's run locks). Two UUIDs folding to one key
only make one writer wait for the other. Every caller takes all its keys in one call, in key order,
so two transactions never wait for each other in a cycle; a key already held by the transaction is
taken again for free. Held until the transaction ends: call inside `transaction.atomic`.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from typing import Final

from django.db import connection

NAMESPACE: Final = 7_110_020
"""First key of every client-UUID lock (pg_locks.classid)."""


def lock_key(key: uuid.UUID) -> int:
    """The signed 32-bit second key of `key`'s lock: its 128 bits folded by XOR."""
    value = key.int
    folded = (value ^ (value >> 32) ^ (value >> 64) ^ (value >> 96)) & 0xFFFF_FFFF
    return folded - (1 << 32) if folded >= 1 << 31 else folded


def client_uuids_lock(keys: Iterable[uuid.UUID]) -> None:
    """Take the transaction's locks on these UUIDs, in key order, in one statement (none for no keys).

    Blocks while another transaction holds one of them. Precondition: inside a transaction.
    """
    ordered = sorted({lock_key(key) for key in keys})
    if not ordered:
        return
    with connection.cursor() as cursor:
        # unnest() yields the array in order, so the locks are taken in key order.
        cursor.execute("SELECT count(pg_advisory_xact_lock(%s, k)) FROM unnest(%s::int[]) AS k", [NAMESPACE, ordered])
