"""One import at a time, across processes and servers: a lock held in the database.

Two imports writing at once would interleave their batches: each loads the catalogue once,
so both would create the same new film, person or genre, and the later one fail row by row.
The second import therefore stops before writing anything, with a message saying so.

- PostgreSQL: a session-level advisory lock (`pg_try_advisory_lock`), released when the
  import ends or its connection dies, so a crashed import never leaves it behind.
- Other databases (SQLite): a row in `ImportLock`, whose primary key lets only one import
  hold it. SQLite is a file on one machine, so a row left by a crashed import (its
  process gone) is taken over.
"""

import os
import socket
from contextlib import contextmanager

from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from movies.models import ImportLock

#: Two 32-bit keys of the advisory lock: "ww" and "import" in ASCII, unlikely to clash.
ADVISORY_KEYS = (0x7777, 0x696D706F)
LOCK_NAME = "import"
BUSY = (
    "Another import is running{detail}: this one stopped and wrote nothing. "
    "Run it again when that one has finished."
)


class ImportBusy(Exception):
    """Another import holds the lock."""


@contextmanager
def import_lock():
    """Holds the import lock for the `with` block, or raises ImportBusy at once."""
    if connection.vendor == "postgresql":
        with _advisory_lock():
            yield
    else:
        with _row_lock():
            yield


@contextmanager
def _advisory_lock():
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(%s, %s)", ADVISORY_KEYS)
        if not cursor.fetchone()[0]:
            cursor.execute(
                "SELECT a.backend_start, a.client_addr FROM pg_locks l "
                "JOIN pg_stat_activity a ON a.pid = l.pid WHERE l.locktype = 'advisory' "
                "AND l.granted AND l.classid = %s AND l.objid = %s AND l.objsubid = 2",
                ADVISORY_KEYS,
            )
            holder = cursor.fetchone()
            detail = ""
            if holder:
                started, address = holder
                where = f" from {address}" if address else ""
                detail = f" (connected{where} since {started:%Y-%m-%d %H:%M:%S %Z})"
            raise ImportBusy(BUSY.format(detail=detail))
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_unlock(%s, %s)", ADVISORY_KEYS)


def _holder():
    return f"process {os.getpid()} on {socket.gethostname()}"


def _abandoned(lock):
    """True when the lock's holder ran on this machine and its process is gone."""
    pid, _, host = lock.holder.removeprefix("process ").partition(" on ")
    if host != socket.gethostname() or not pid.isdigit():
        return False
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return True
    except PermissionError:  # alive, under another user
        return False
    return False


@contextmanager
def _row_lock():
    mine = _holder()
    try:
        with transaction.atomic():
            lock = ImportLock.objects.select_for_update().filter(name=LOCK_NAME).first()
            if lock is not None and not _abandoned(lock):
                raise ImportBusy(
                    BUSY.format(
                        detail=f" ({lock.holder}, since {lock.started_at:%Y-%m-%d %H:%M:%S %Z})"
                    )
                )
            if lock is not None:
                lock.delete()
            ImportLock.objects.create(name=LOCK_NAME, holder=mine, started_at=timezone.now())
    except IntegrityError:  # another import took it between our read and our insert
        raise ImportBusy(BUSY.format(detail="")) from None
    try:
        yield
    finally:
        ImportLock.objects.filter(name=LOCK_NAME, holder=mine).delete()
