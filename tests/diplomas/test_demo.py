import pytest

from diplomas.demo import DEMO_ISSUER, ensure_diplomas
from diplomas.models import Diploma, DiplomaSettings
from tests.diplomas.conftest import give_completion
from tests.factories import UserFactory, make_course

pytestmark = pytest.mark.django_db


def test_demo_sets_the_issuer_and_issues_history_diplomas(demo_site, catalogue):
    course = make_course(catalogue, modules=1)
    give_completion(UserFactory(username="hist"), course)
    assert ensure_diplomas() == 1
    assert ensure_diplomas() == 0
    assert Diploma.objects.count() == 1
    assert DiplomaSettings.for_site(demo_site.get_site()).issuer_name == DEMO_ISSUER
