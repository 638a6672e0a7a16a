# The shop's one image: web (gunicorn), Celery worker and Celery beat all run it (docker-compose.yml).
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    DJANGO_SETTINGS_MODULE=shop.settings.production \
    DJANGO_MEDIA_ROOT=/app/media \
    DJANGO_PRIVATE_MEDIA_ROOT=/app/private-media

WORKDIR /app

RUN groupadd --system --gid 1000 app \
    && useradd --system --uid 1000 --gid app --home-dir /app --no-create-home --shell /usr/sbin/nologin app

# Pinned runtime dependencies only (requirements/dev.txt adds the test tools); a layer of its own,
# so a code change does not reinstall them.
COPY requirements/base.txt requirements/base.txt
RUN pip install -r requirements/base.txt

COPY . .

# Static files are collected (hashed, compressed) into the image; whitenoise serves them.
# The secret and hosts here exist only for this build step: the running container gets its own.
RUN DJANGO_SECRET_KEY=build-only-dummy-secret DJANGO_ALLOWED_HOSTS=localhost \
        python manage.py collectstatic --noinput --verbosity 0 \
    && mkdir -p /app/media /app/private-media \
    && chown app:app /app/media /app/private-media

USER app

EXPOSE 8000

# 2 sync workers per container by default (WEB_CONCURRENCY, read by gunicorn itself, overrides).
CMD ["gunicorn", "shop.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "2", \
     "--timeout", "30", "--access-logfile", "-", "--forwarded-allow-ips", "*"]
