import pytest

from tests.factories import make_course
from tests.helpers import login_via_form

pytestmark = pytest.mark.django_db


def test_editor_sees_course_structure_at_a_glance(client, catalogue, demo_users):
    course = make_course(catalogue, modules=3)
    draft = course.get_children().last().specific
    draft.unpublish()
    assert login_via_form(client, "redaktor", demo_users)
    html = client.get(f"/admin/pages/{course.pk}/edit/").content.decode()
    assert "Kursens uppbyggnad" in html
    assert html.count(f'href="/admin/pages/{draft.pk}/edit/"') >= 1
    assert "3 moduler, 45 minuter totalt." in html
    assert "Utkast" in html


def test_course_with_progress_cannot_be_deleted_only_unpublished(client, catalogue, demo_users):
    from progress import services

    course = make_course(catalogue, modules=1)
    from django.contrib.auth import get_user_model

    learner = get_user_model().objects.get(username="medarbetare")
    services.module_start(user=learner, module=course.get_children().get().specific)
    assert login_via_form(client, "admin", demo_users)
    response = client.post(f"/admin/pages/{course.pk}/delete/", follow=True)
    assert "kan inte tas bort" in response.content.decode()
    course.refresh_from_db()
    assert course.pk
