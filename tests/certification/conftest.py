"""The certification fixtures (in fixtures.py, so that tests/security can use them too)."""

from tests.certification.fixtures import *  # noqa: F403
