"""Test settings: only what makes tests fast and deterministic.

Services still come from the environment: with DATABASE_URL and CELERY_BROKER_URL
set (as .ci/run does) the suite runs against PostgreSQL and Redis.
"""

import os

os.environ.setdefault("SECRET_KEY", "test-only-not-secret")
os.environ.setdefault(
    "CANDOR_VAR_DIR", os.path.join(os.path.dirname(__file__), "..", "var", "test")
)

from config.settings import *  # noqa: E402, F403
from config.settings import DATABASES  # noqa: E402

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # A file, not memory, so that a worker process in the end-to-end tests sees it.
    # One file per run, so that two runs on one machine do not share it.
    DATABASES["default"]["TEST"] = {
        "NAME": str(VAR_DIR / f"test-{os.getpid()}.sqlite3")  # noqa: F405
    }
# A read replica alias on the test database itself, as Django's test runner mirrors
# it; unused (DATABASE_READ_REPLICA stays None) unless a test turns it on, so that
# only the tests about it need access to two aliases (tests/core/test_replica.py).
DATABASES.setdefault("replica", {**DATABASES["default"], "TEST": {"MIRROR": "default"}})
# Serve static files from the finders: tests never run collectstatic.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
# /healthz asks afresh on every call, so a test sees what it just changed.
HEALTHZ_REMEMBER_SECONDS = 0
