"""With a read replica configured, dashboard (and API) reads go to it; everything else stays
on the primary."""

import pytest
from django.db import connections
from django.test.utils import CaptureQueriesContext

pytestmark = pytest.mark.django_db(transaction=True, databases=["default", "replica"])


def organisation_tables(queries) -> list[str]:
    return [q["sql"] for q in queries if "people_" in q["sql"] or "progress_" in q["sql"]]


@pytest.fixture
def hr_client(client, demo_organisation):
    from django.contrib.auth import get_user_model

    from people.models import HRScope, OrgUnit

    hr = get_user_model().objects.get(username="hr")
    if not HRScope.objects.filter(user=hr).exists():
        HRScope.objects.create(user=hr, unit=OrgUnit.get_root_nodes().first())
    client.force_login(hr)
    return client


def test_dashboard_reads_go_to_the_replica(hr_client, settings):
    settings.REPLICA_READS = True
    with (
        CaptureQueriesContext(connections["default"]) as primary,
        CaptureQueriesContext(connections["replica"]) as replica,
    ):
        response = hr_client.get("/admin/coverage/")
    assert response.status_code == 200
    assert organisation_tables(replica.captured_queries), "the figures come from the replica"
    assert organisation_tables(primary.captured_queries) == []
    # Sessions and the user come from the primary (a fresh login must be seen at once).
    assert any("django_session" in q["sql"] for q in primary.captured_queries)
    assert not any("django_session" in q["sql"] for q in replica.captured_queries)


def test_learner_pages_and_writes_stay_on_the_primary(hr_client, settings):
    settings.REPLICA_READS = True
    with CaptureQueriesContext(connections["replica"]) as replica:
        hr_client.get("/mina-kurser/")
        hr_client.post("/admin/coverage/", {})
    assert replica.captured_queries == []


def test_without_a_replica_everything_reads_the_primary(hr_client, settings):
    settings.REPLICA_READS = False
    with CaptureQueriesContext(connections["replica"]) as replica:
        assert hr_client.get("/admin/coverage/").status_code == 200
    assert replica.captured_queries == []
