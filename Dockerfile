# One image for every process of Candor: web (gunicorn), workers and beat
# (docker-compose.yml says which runs what).
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

# A user of its own: a flaw in a request handler must not own the container.
# Its home is its own, not /app (root's): gunicorn opens its control socket under
# $HOME/.gunicorn, and with a home it cannot write it logged an error at each start.
RUN groupadd --system candor \
    && useradd --system --gid candor --create-home --home-dir /home/candor \
        --shell /usr/sbin/nologin candor

WORKDIR /app
# Dependencies first, so a code change reuses this layer.
COPY requirements.txt .
RUN pip install -r requirements.txt

COPY . .
# Static files collected once, into the image: whitenoise serves the hashed,
# compressed copies from every web container. Settings need no service for this;
# the key and the folder are throwaway ones for the build only.
RUN SECRET_KEY=collectstatic-only CANDOR_VAR_DIR=/tmp/build-var \
        python manage.py collectstatic --noinput --verbosity 0 \
    && rm -rf /tmp/build-var \
    && mkdir -p /app/var \
    && chown candor:candor /app/var

USER candor
EXPOSE 8000
CMD ["gunicorn", "config.wsgi", "-c", "config/gunicorn.py", "--bind", "0.0.0.0:8000", "--workers", "4"]
