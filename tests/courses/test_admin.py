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


def test_deleting_things_learners_used_gives_a_message_not_an_error(client, catalogue, demo_users):
    from django.contrib.auth import get_user_model

    from modules.models import Film
    from quizzes import services as quiz_services
    from tests.factories import make_film, make_quiz

    learner = get_user_model().objects.get(username="medarbetare")
    quiz = make_quiz(questions=1)
    quiz_services.quiz_attempt_start(user=learner, quiz=quiz)
    question = quiz.quiz_questions.get().question
    film = make_film()
    course = make_course(catalogue, modules=1, film=film)
    module = course.get_children().get().specific
    from modules import services as module_services

    block_id = module.film_block_ids()[0]
    module_services.film_progress_record(
        user=learner, module=module, block_id=block_id, played=[[0, 5]]
    )
    assert login_via_form(client, "admin", demo_users)

    response = client.post(f"/admin/snippets/quizzes/quiz/delete/{quiz.pk}/", follow=True)
    assert response.status_code == 200 and "kan inte tas bort" in response.content.decode()
    response = client.post(f"/admin/snippets/quizzes/question/delete/{question.pk}/", follow=True)
    assert response.status_code == 200 and "används i ett kunskapstest" in response.content.decode()

    # A film that was played can go: the module then simply has no film to watch.
    response = client.post(f"/admin/snippets/modules/film/delete/{film.pk}/", follow=True)
    assert response.status_code == 200
    assert not Film.objects.filter(pk=film.pk).exists()
    client.force_login(learner)
    page = client.get(module.url)
    assert page.status_code == 200
    assert "Se filmen" not in page.content.decode()


def test_erasing_a_person_removes_their_progress_and_completions(catalogue, learner):
    from progress import services
    from progress.models import Completion, CourseProgress

    course = make_course(catalogue, modules=1)
    services.module_complete(user=learner, module=course.get_children().get().specific)
    learner.delete()
    assert not CourseProgress.objects.exists() and not Completion.objects.exists()


def test_bulk_delete_keeps_courses_with_progress(client, catalogue, learner, demo_users):
    from progress import services

    course = make_course(catalogue, modules=1)
    services.module_start(user=learner, module=course.get_children().get().specific)
    assert login_via_form(client, "admin", demo_users)
    response = client.post(
        f"/admin/bulk/wagtailcore/page/delete/?id={course.pk}&childOf={catalogue.pk}",
        follow=True,
    )
    assert "kan inte tas bort" in response.content.decode()
    course.refresh_from_db()
    assert course.pk
