# Image for web (gunicorn), Celery worker and beat. Debian 12 base, like the machines we test on.
FROM python:3.11-slim-bookworm
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1
RUN apt-get update \
 && apt-get install -y --no-install-recommends binutils gdal-bin libgdal32 libgeos-c1v5 libproj25 gettext libheif1 \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY requirements.lock ./
RUN pip install --no-cache-dir uv==0.13.9 \
 && uv pip install --system --no-cache --require-hashes -r requirements.lock
COPY . .
RUN msgfmt -o locale/en/LC_MESSAGES/django.mo locale/en/LC_MESSAGES/django.po \
 && DJANGO_SECRET_KEY=build DATABASE_URL=postgis://x@localhost/x REDIS_URL=redis://localhost \
    python manage.py collectstatic --noinput -v0 --ignore "*.test.js" --ignore "fake-server.js" --ignore "eval-cli.js"
RUN useradd --system --uid 10001 regsosek && mkdir -p /srv/media && chown regsosek /srv/media
USER regsosek
EXPOSE 8000
CMD ["gunicorn", "regsosek.wsgi", "--bind", "0.0.0.0:8000", "--workers", "4", "--threads", "4"]
