# Production image: gunicorn for `web`, the same image runs the Celery `worker` and `beat`.
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    LMS_VENV=/opt/venv \
    PATH=/opt/venv/bin:$PATH \
    DJANGO_SETTINGS_MODULE=lms.settings.production

RUN apt-get update \
    && apt-get install -y --no-install-recommends libpq5 \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --create-home --uid 1000 lms

WORKDIR /app
COPY pyproject.toml dev.py ./
COPY requirements ./requirements
RUN python dev.py install --no-test

COPY . .
# collectstatic needs settings but no real secrets or database.
RUN SECRET_KEY=build-only ALLOWED_HOSTS=build DATABASE_URL=sqlite:////tmp/build.sqlite3 \
    python manage.py collectstatic --no-input -v 0 \
    && mkdir -p /app/media /app/var && chown -R lms:lms /app/media /app/var

USER lms
EXPOSE 8000
CMD ["gunicorn", "lms.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3", "--worker-class", "gthread", "--threads", "8", "--timeout", "60"]
