"""Celery beat that runs alone: a second beat on the same schedule waits until the first is gone.

django-celery-beat's DatabaseScheduler sends every due task from every beat process that reads
the schedule, so two beats (a scaled container, a forgotten terminal) send everything twice.
`LockedDatabaseScheduler` sends only while it holds a lock; another beat stays on standby and
checks the lock on every tick (`beat_max_loop_interval`, 5 s), so it takes over within seconds
of the first beat's death.

The lock lives where the schedule lives, so that exactly the beats that share a schedule exclude
each other, and it is released by the operating system or the database server when its holder
dies (no expiry to tune, no stale lock to clear by hand):
- PostgreSQL: a session-level advisory lock held by a connection of its own. The server drops it
  when that connection ends: process killed, connection cut, server restarted.
- SQLite (the demo): flock() on a file next to the database file, dropped by the kernel with the
  process. SQLite is one machine anyway.

A beat that loses its lock (the connection was cut, the lock file was replaced) notices before
its next send and sends nothing until it holds the lock again.
"""

from __future__ import annotations

import contextlib
import datetime
import logging
import os
from pathlib import Path

from django.conf import settings
from django.db import connections
from django_celery_beat.schedulers import DatabaseScheduler

logger = logging.getLogger(__name__)

# The advisory lock's key (two int4): "LMS" and "beat". Advisory locks are per database, so two
# sites on one PostgreSQL server do not block each other.
ADVISORY_LOCK_KEY = (0x4C4D53, 0x62656174)
APPLICATION_NAME = "lms beat lock"


class PostgresBeatLock:
    """A session-level advisory lock on a dedicated connection (autocommit, never pooled)."""

    def __init__(self, alias: str = "default") -> None:
        self.alias = alias
        self._connection = None
        self._held = False
        self.description = f"PostgreSQL advisory lock {ADVISORY_LOCK_KEY} in the {alias} database"

    def _connect(self):
        import psycopg

        params = connections[self.alias].get_connection_params()
        params.update(
            application_name=APPLICATION_NAME,
            connect_timeout=5,
            # A dead server or network fails the lock check within ~20 s instead of minutes.
            tcp_user_timeout=20_000,
            keepalives=1,
            keepalives_idle=10,
            keepalives_interval=5,
            keepalives_count=3,
        )
        connection = psycopg.connect(**params, autocommit=True)
        # And the server notices a dead beat host within ~25 s, which frees the lock for the
        # standby (ignored on Unix sockets, where a dead process closes the socket at once).
        connection.execute(
            "SET tcp_keepalives_idle = 10; SET tcp_keepalives_interval = 5; "
            "SET tcp_keepalives_count = 3; SET statement_timeout = '5s'"
        )
        return connection

    def hold(self) -> bool:
        """True while this process holds the lock; tries to take it when it does not."""
        import psycopg

        try:
            if self._connection is None:
                self._connection = self._connect()
            if self._held:
                # Still ours? (A query on a cut connection raises instead.)
                row = self._connection.execute(
                    "SELECT EXISTS (SELECT 1 FROM pg_locks WHERE locktype = 'advisory' "
                    "AND pid = pg_backend_pid() AND classid = %s AND objid = %s "
                    "AND objsubid = 2 AND granted)",
                    ADVISORY_LOCK_KEY,
                ).fetchone()
            else:
                row = self._connection.execute(
                    "SELECT pg_try_advisory_lock(%s, %s)", ADVISORY_LOCK_KEY
                ).fetchone()
        except psycopg.Error as error:
            logger.warning("Beat lock: the database did not answer (%s).", error)
            self.release()
            return False
        self._held = bool(row[0])
        return self._held

    def release(self) -> None:
        held, self._held = self._held, False
        if self._connection is not None:
            # Unlock explicitly first: the server ends a closed session asynchronously, so a
            # standby asking right after the close could still find the lock taken. Closing
            # then drops anything left; a broken connection has nothing to drop.
            with contextlib.suppress(Exception):
                if held:
                    self._connection.execute("SELECT pg_advisory_unlock(%s, %s)", ADVISORY_LOCK_KEY)
            with contextlib.suppress(Exception):
                self._connection.close()
            self._connection = None


class FileBeatLock:
    """flock() on a file; the lock is lost when the file is removed or replaced."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self._fd: int | None = None
        self.description = f"lock file {self.path}"

    def _same_file(self, fd: int) -> bool:
        try:
            on_disk = os.stat(self.path)
        except FileNotFoundError:
            return False
        held = os.fstat(fd)
        return (on_disk.st_dev, on_disk.st_ino) == (held.st_dev, held.st_ino)

    def hold(self) -> bool:
        if self._fd is not None:
            if self._same_file(self._fd):
                return True
            # Someone removed or replaced the file: another beat could lock the new one.
            self.release()
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            _lock_fd(fd)
        except OSError:
            os.close(fd)
            return False
        if not self._same_file(fd):  # replaced between open() and the lock
            os.close(fd)
            return False
        os.ftruncate(fd, 0)
        os.write(fd, f"{os.getpid()}\n".encode())  # for people looking at the file
        self._fd = fd
        return True

    def release(self) -> None:
        if self._fd is not None:
            os.close(self._fd)  # closing drops the lock
            self._fd = None


def _lock_fd(fd: int) -> None:
    """Take an exclusive lock without waiting; OSError when someone else holds it."""
    try:
        import fcntl
    except ImportError:  # Windows
        import msvcrt

        msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
    else:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)


def beat_lock(alias: str = "default") -> PostgresBeatLock | FileBeatLock:
    """The lock for the database that holds the schedule."""
    connection = connections[alias]
    if connection.vendor == "postgresql":
        return PostgresBeatLock(alias)
    name = str(connection.settings_dict.get("NAME") or "")
    if connection.vendor == "sqlite" and name and "memory" not in name:
        return FileBeatLock(Path(f"{name}.beat-lock"))
    # Another database: a lock file protects against a second beat on this machine only.
    return FileBeatLock(Path(settings.DATA_DIR) / "beat.lock")


class LockedDatabaseScheduler(DatabaseScheduler):
    """DatabaseScheduler that sends only while it holds the beat lock (see the module docstring)."""

    def __init__(self, *args, **kwargs) -> None:
        self.lock = beat_lock()
        self.holding = False
        self._waiting_logged = False
        super().__init__(*args, **kwargs)

    def tick(self, *args, **kwargs) -> float:
        # Checked before every send: tick() sends at most one task per call.
        if self.lock.hold():
            if not self.holding:
                self._start_holding()
            return super().tick(*args, **kwargs)
        if self.holding:
            logger.warning(
                "Beat lost the %s; it sends nothing until it holds it again.",
                self.lock.description,
            )
            self.holding = False
        elif not self._waiting_logged:
            logger.warning(
                "Another beat holds the %s; this one waits and takes over when it is gone.",
                self.lock.description,
            )
        self._waiting_logged = True
        return self.max_interval

    def _start_holding(self) -> None:
        log = logger.warning if self._waiting_logged else logger.info
        log("Beat holds the %s and sends the schedule.", self.lock.description)
        self.holding = True
        # Another beat may have sent tasks since this one read the schedule: start from the
        # last-run times in the database, or a missed crontab would be sent a second time.
        # (The same steps as DatabaseScheduler.schedule after a change: read, rebuild the heap.)
        self.sync()
        self._schedule = self.all_as_schedule()
        self._last_full_sync = datetime.datetime.now()
        self._heap = []
        self._heap_invalidated = True

    def reserve(self, entry):
        new_entry = super().reserve(entry)
        # DatabaseScheduler keeps the entry as it was before this send in its schedule; when the
        # heap is rebuilt from it (after a schedule change, such as another beat starting), that
        # old last-run time makes the task due again and it is sent twice in one tick.
        if self._schedule is not None and entry.name in self._schedule:
            self._schedule[entry.name] = new_entry
        return new_entry

    def close(self) -> None:
        try:
            super().close()
        finally:
            self.lock.release()
