# The application image: web (gunicorn), worker and beat all run from it (see docker-compose.yml).
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    QMS_VAR_DIR=/var/lib/qms \
    STATIC_ROOT=/app/staticfiles

WORKDIR /app
# WeasyPrint (the PDF reports) lays text out with Pango and HarfBuzz; the font itself is vendored.
RUN apt-get update && apt-get install -y --no-install-recommends libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz0b \
    && rm -rf /var/lib/apt/lists/*
COPY requirements.txt .
RUN pip install -r requirements.txt && useradd --system --create-home qms && mkdir -p /var/lib/qms && chown qms /var/lib/qms
COPY . .
# The services' commands (docker-compose.yml): executable whatever the checkout did to the mode bits.
RUN chmod 755 scripts/start-web.sh scripts/start-worker.sh scripts/start-beat.sh
# Translations and static files are built into the image; the secret is a throwaway for the build only.
RUN pybabel compile --domain django --directory locale \
    && SECRET_KEY=build-only DATABASE_URL=sqlite:////tmp/build.sqlite3 ALLOW_LOCAL_CACHE=1 \
       python manage.py collectstatic --noinput
USER qms
EXPOSE 8000
CMD ["scripts/start-web.sh"]
