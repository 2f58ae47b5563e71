"""`manage.py check --deploy` is clean with production settings, and what it checks
follows the environment (HTTPS, BEHIND_PROXY, SECURE_SSL_REDIRECT).

Each case runs in a subprocess: the settings module reads the environment once, at
import, as a production process does.
"""

from __future__ import annotations

import json
import os
import secrets
import subprocess
import sys

from django.conf import settings

CHECK = """
import django
django.setup()
from django.core.management import call_command
call_command("check", "--deploy", "--fail-level", "WARNING")
"""

SHOW = """
import json, django
django.setup()
from django.conf import settings as s
print(json.dumps({
    "proxy_header": getattr(s, "SECURE_PROXY_SSL_HEADER", None),
    "ssl_redirect": s.SECURE_SSL_REDIRECT,
    "hsts": s.SECURE_HSTS_SECONDS,
    "cookies_secure": [s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE],
}))
"""


def _production(tmp_path, **overrides: str) -> dict[str, str]:
    env = {
        key: value
        for key, value in os.environ.items()
        # The browser tests' async switch (tests/browser/conftest.py) is theirs
        # only: a deployment never sets it, and the check rightly refuses it.
        if key
        not in {
            "DEBUG",
            "SECURE_HSTS_SECONDS",
            "SECURE_SSL_REDIRECT",
            "DJANGO_ALLOW_ASYNC_UNSAFE",
        }
    }
    return {
        **env,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "CANDOR_VAR_DIR": str(tmp_path),
        "DEBUG": "false",
        "HTTPS": "true",
        "SECRET_KEY": secrets.token_urlsafe(64),
        "ALLOWED_HOSTS": "candor.example.com",
        "CSRF_TRUSTED_ORIGINS": "https://candor.example.com",
        **overrides,
    }


def _run(script: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", script],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_the_deploy_check_finds_nothing_with_production_settings(tmp_path):
    done = _run(CHECK, _production(tmp_path))

    assert done.returncode == 0, done.stderr
    assert "System check identified no issues" in done.stdout
    assert "WARNINGS" not in done.stderr


def test_the_deploy_check_fails_on_a_site_served_without_https(tmp_path):
    done = _run(CHECK, _production(tmp_path, HTTPS="false"))

    assert done.returncode != 0
    for warning in ("security.W004", "security.W008", "security.W012"):
        assert warning in done.stderr


def test_https_secures_cookies_redirects_and_sets_a_year_of_hsts(tmp_path):
    done = _run(SHOW, _production(tmp_path))

    assert done.returncode == 0, done.stderr
    shown = json.loads(done.stdout.splitlines()[-1])
    assert shown == {
        "proxy_header": ["HTTP_X_FORWARDED_PROTO", "https"],
        "ssl_redirect": True,
        "hsts": 31_536_000,
        "cookies_secure": [True, True],
    }


def test_the_forwarded_proto_header_is_trusted_only_behind_a_proxy(tmp_path):
    env = _production(tmp_path, BEHIND_PROXY="false", SECURE_SSL_REDIRECT="false")

    done = _run(SHOW, env)

    assert done.returncode == 0, done.stderr
    shown = json.loads(done.stdout.splitlines()[-1])
    assert (shown["proxy_header"], shown["ssl_redirect"]) == (None, False)


def test_the_health_checks_answer_plain_http_under_the_ssl_redirect(client, settings):
    settings.SECURE_SSL_REDIRECT = True

    assert client.get("/livez").status_code == 200
    assert client.get("/accounts/login/").status_code == 301
