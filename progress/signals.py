"""What happened to a learner's progress, for apps that follow up (diplomas, xAPI, notices).

Sent by `progress.services` inside the transaction that wrote the row, so a receiver can write
its own rows (an outbox entry, a diploma to render) atomically with the event. Anything outside
the database (a Celery task, an HTTP call) belongs in `transaction.on_commit` in the receiver.
A receiver that raises undoes the learner's progress: keep receivers small and certain.
"""

from django.dispatch import Signal

# user, module_progress: the learner opened a module for the first time in this round.
module_started = Signal()
# user, module_progress: a module was completed (once per round).
module_completed = Signal()
# user, completion: a course was completed (once per round); completion.valid_until is set.
course_completed = Signal()
