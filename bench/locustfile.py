"""Load test, steady browsing: logged-in learners open the catalogue, work through modules and
take quizzes. Run through `python -m bench.load` (see README), which starts gunicorn with the
production settings, logs the learners in first (the login storm, measured apart) and passes
their sessions here (LOAD_TEST_SESSIONS: one Cookie header per line).
"""

from __future__ import annotations

import os
import random
import re
from itertools import cycle
from urllib.parse import urlsplit

from locust import HttpUser, between, task

SESSIONS = cycle(open(os.environ["LOAD_TEST_SESSIONS"]).read().splitlines())  # noqa: SIM115
COURSE_LINK = re.compile(r'<h2[^>]*><a href="(/kurser/[^"]+/)">')
MODULE_LINK = re.compile(r'<a class="module-title" href="(/kurser/[^"]+/)">')
QUIZ_LINK = re.compile(r'href="(/modules/\d+/quiz/[^"]+/)"')
COMPLETE_FORM = re.compile(r'action="(/progress/modules/\d+/complete/)"')
CHOICE = re.compile(r'name="choice" id="choice-[^"]+" value="([^"]+)"')


class Learner(HttpUser):
    # People read: a few seconds between pages (a real module takes minutes).
    wait_time = between(3, 10)

    def _csrf(self) -> str:
        return self.client.cookies.get("csrftoken", "")

    def on_start(self) -> None:
        # As the server set them (host-only, path /), so that a cookie it sets again replaces
        # ours instead of sitting next to it.
        host = urlsplit(self.host).hostname
        for pair in next(SESSIONS).split("; "):
            name, _, value = pair.partition("=")
            self.client.cookies.set(name, value, domain=host, path="/")

    @task(3)
    def catalogue(self) -> None:
        self.client.get("/kurser/", name="catalogue")
        self.client.get("/mina-kurser/", name="my courses")

    @task(6)
    def work_on_a_module(self) -> None:
        with self.client.get("/kurser/", name="catalogue", catch_response=True) as response:
            courses = COURSE_LINK.findall(response.text)
            if not courses:
                # A changed template must not quietly turn the journey into page views only.
                response.failure("no course links found in the catalogue")
                return
        course = self.client.get(random.choice(courses), name="course").text
        modules = MODULE_LINK.findall(course)
        if not modules:
            return
        module = self.client.get(random.choice(modules), name="module").text
        form = COMPLETE_FORM.search(module)
        if form and "Innan du kan markera" not in module:
            self.client.post(
                form.group(1), {"csrfmiddlewaretoken": self._csrf()}, name="mark module done"
            )
        quiz = QUIZ_LINK.search(module)
        if quiz:
            self.take_quiz(quiz.group(1))

    def take_quiz(self, url: str) -> None:
        response = self.client.post(url, {"csrfmiddlewaretoken": self._csrf()}, name="start quiz")
        for _ in range(20):
            if "/questions/" not in response.url:
                break
            choices = CHOICE.findall(response.text)
            if not choices:
                break
            response = self.client.post(
                response.url,
                {
                    "choice": [random.choice(choices)],
                    "go": "next",
                    "csrfmiddlewaretoken": self._csrf(),
                },
                name="answer question",
            )
        if response.url.endswith("/review/"):
            self.client.post(
                response.url, {"csrfmiddlewaretoken": self._csrf()}, name="submit quiz"
            )
