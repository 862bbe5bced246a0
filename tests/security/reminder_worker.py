"""For the crash test's Celery worker processes only (`celery worker -I` this module).

Opens the reminder send window whatever the day and hour the test runs, and provides a slow
email backend that leaves a file per message, so that the test can count what really left:

- before handing a message over it writes `handing-<pid>` (the recipient), so the test can
  kill a worker while it is certainly in the middle of a handover;
- after the pause, `sent-<pid>-<n>` (the recipient), then removes `handing-<pid>`.

Environment: SLOW_MAIL_DIR (required), SLOW_MAIL_SECONDS (default 0.2), SLOW_MAIL_STALL_AFTER
(after this many messages, the next handover never ends: the worker waits to be killed in it).
"""

from __future__ import annotations

import itertools
import os
import time
from pathlib import Path

from django.core.mail.backends.base import BaseEmailBackend

from reminders import calendar

calendar.in_send_window = lambda now=None: True

_numbers = itertools.count(1)


def _write(path: Path, text: str) -> None:
    # Whole files only: the test reads them while this process may be killed.
    part = path.with_name(path.name + ".part")
    part.write_text(text)
    os.replace(part, path)


class SlowEmailBackend(BaseEmailBackend):
    def send_messages(self, email_messages) -> int:
        directory = Path(os.environ["SLOW_MAIL_DIR"])
        pause = float(os.environ.get("SLOW_MAIL_SECONDS", "0.2"))
        stall_after = int(os.environ.get("SLOW_MAIL_STALL_AFTER", "0"))
        pid = os.getpid()
        for message in email_messages:
            recipient = ",".join(message.recipients())
            handing = directory / f"handing-{pid}"
            _write(handing, recipient)
            number = next(_numbers)
            time.sleep(600 if stall_after and number > stall_after else pause)
            _write(directory / f"sent-{pid}-{number}", recipient)
            handing.unlink()
        return len(email_messages)
