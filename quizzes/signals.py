"""What happened in a quiz, for apps that follow up (xAPI).

Sent by `quizzes.services.quiz_attempt_submit` inside the grading transaction: a receiver may
write its own rows; anything external belongs in `transaction.on_commit`.
"""

from django.dispatch import Signal

# user, attempt: an attempt was graded (attempt.passed, attempt.score_percent are set).
quiz_graded = Signal()
