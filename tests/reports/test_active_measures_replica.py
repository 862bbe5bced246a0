"""With a read replica configured, the active-measures report and its files read from it."""

import pytest
from django.db import connections
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

pytestmark = pytest.mark.django_db(transaction=True, databases=["default", "replica"])


def test_report_reads_go_to_the_replica(client, demo_organisation, settings):
    from django.contrib.auth import get_user_model

    from people.models import OrgUnit

    client.force_login(get_user_model().objects.get(username="hr"))
    settings.REPLICA_READS = True
    unit = OrgUnit.get_first_root_node()
    today = timezone.localdate()
    query = f"unit={unit.pk}&start={today.replace(day=1).isoformat()}&end={today.isoformat()}"
    for path in ("", "report.pdf", "report.xlsx"):
        with (
            CaptureQueriesContext(connections["default"]) as primary,
            CaptureQueriesContext(connections["replica"]) as replica,
        ):
            response = client.get(f"/admin/active-measures/{path}?{query}")
        assert response.status_code == 200
        figures = [q["sql"] for q in replica.captured_queries if "assignments_" in q["sql"]]
        assert figures, "the figures come from the replica"
        assert not [q["sql"] for q in primary.captured_queries if "assignments_" in q["sql"]]
