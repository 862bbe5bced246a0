"""PostgreSQL connections run with JIT off (DB_JIT): compiling the dashboard aggregates cost
more than they run (0.7 s on a 0.1 s query at full size; bench/dashboards.py)."""

import pytest
from django.db import connection

from tests.helpers import require_postgres

pytestmark = pytest.mark.django_db


def test_postgresql_connections_have_jit_off():
    require_postgres()
    with connection.cursor() as cursor:
        cursor.execute("SHOW jit")
        assert cursor.fetchone()[0] == "off"
