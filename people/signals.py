"""Signals other apps listen to; people imports none of them."""

from django.dispatch import Signal

# Sent after a change to units or people has been committed (an HR import applied), so that
# assignments can be re-evaluated.
organisation_changed = Signal()
