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


def test_goal_list_and_edit_read_the_primary(hr_client, settings):
    # Editing a goal and going back to the list must show the goal just saved: no replica.
    import datetime

    from reports.models import CoverageGoal

    settings.REPLICA_READS = True
    goal = CoverageGoal.objects.create(name="Mål", deadline=datetime.date(2030, 1, 1))
    with CaptureQueriesContext(connections["replica"]) as replica:
        assert hr_client.get("/admin/coverage/goals/").status_code == 200
        assert hr_client.get(f"/admin/coverage/goals/edit/{goal.pk}/").status_code == 200
    assert replica.captured_queries == []


def test_unit_dashboard_and_exports_still_read_the_replica(hr_client, settings):
    from people.models import OrgUnit

    settings.REPLICA_READS = True
    unit = OrgUnit.get_root_nodes().first()
    with CaptureQueriesContext(connections["replica"]) as replica:
        assert hr_client.get(f"/admin/coverage/units/{unit.pk}/").status_code == 200
    assert organisation_tables(replica.captured_queries)


def test_a_revoked_api_token_is_refused_at_once_with_replica_reads_on(client, settings):
    import datetime

    from django.utils import timezone

    from api import services

    settings.REPLICA_READS = True
    token, secret = services.token_create(
        name="HR-system",
        scopes=["units"],
        units=(),
        whole_organisation=True,
        expires_at=timezone.now() + datetime.timedelta(days=30),
    )
    auth = {"HTTP_AUTHORIZATION": f"Bearer {secret}"}
    assert client.get("/api/v1/units", **auth).status_code == 200
    services.token_revoke(token=token)
    with CaptureQueriesContext(connections["replica"]) as replica:
        assert client.get("/api/v1/units", **auth).status_code == 401
    # The replica may lag by seconds: the token (and its scope) always come from the primary.
    assert not any("api_integrationtoken" in q["sql"] for q in replica.captured_queries)
