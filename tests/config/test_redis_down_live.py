"""Redis stopped under a running site, with the cache and the broker both on it (the
README's production example): a real gunicorn with production settings keeps taking
answers and concerns, and /healthz answers JSON 503 naming what is down.

The Redis is a throwaway server on its own port (`tests.brokers`), never the shared
one. Answers go over HTTP as a browser sends them: GET the link, POST the form with
the CSRF cookie and token.
"""

from __future__ import annotations

import datetime as dt
import http.cookiejar
import json
import os
import re
import subprocess
import sys
import urllib.error
import urllib.parse
import urllib.request

import pytest
from django.conf import settings
from django.contrib.auth.hashers import PBKDF2PasswordHasher
from django.db import connection
from django.utils import timezone

from feedback.models import Concern
from org.roles import Role
from surveys.models import InvitationToken, Response, Survey
from surveys.tokens import token_new
from tests.brokers import free_port, throwaway_redis
from tests.config.test_worker import _wait_for
from tests.org.factories import PersonFactory
from tests.surveys.factories import InvitationFactory, QuestionFactory, RoundFactory
from tests.surveys.test_worker_delivery import _database_url

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]

PEOPLE = 6
PASSWORD = "a long enough password 42"
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


class Browser:
    """Cookies and CSRF as a browser keeps them, over urllib."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()),
            _NoRedirect(),
        )

    def get(self, path: str) -> tuple[int, str]:
        return self._open(urllib.request.Request(self.base + path))

    def post_form(self, path: str, fields: dict[str, str]) -> tuple[int, str]:
        status, page = self.get(path)
        assert status == 200, (path, status, page[:300])
        token = CSRF.search(page).group(1)
        body = urllib.parse.urlencode({"csrfmiddlewaretoken": token, **fields})
        request = urllib.request.Request(
            self.base + path,
            data=body.encode(),
            headers={"Referer": self.base + path},
        )
        return self._open(request)

    def _open(self, request) -> tuple[int, str]:
        try:
            with self.opener.open(request, timeout=20) as response:
                return response.status, response.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode(errors="replace")


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None  # a 302 is the answer we check, not a page to follow


def _serve(env: dict[str, str], port: int) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "config.wsgi", "-c", "config/gunicorn.py",
         "--bind", f"127.0.0.1:{port}", "--workers", "1", "--timeout", "60"],
        cwd=settings.BASE_DIR,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )  # fmt: skip


def _healthz(base: str) -> tuple[int, dict]:
    status, body = Browser(base).get("/healthz")
    return status, json.loads(body)


def test_answers_and_a_concern_are_saved_with_redis_stopped(tmp_path):
    if connection.vendor == "sqlite" and ":memory:" in connection.settings_dict["NAME"]:
        pytest.skip("gunicorn needs a database file it can open")
    now = timezone.now()
    PersonFactory(roles={Role.HR})  # owns what nobody else does
    raiser = PersonFactory(roles={Role.EMPLOYEE})
    # Hashed as production settings verify it (the tests' own hasher is faster).
    raiser.user.password = PBKDF2PasswordHasher().encode(PASSWORD, "redisdownsalt")
    raiser.user.save()
    round_ = RoundFactory(
        survey__privacy=Survey.Privacy.CONFIDENTIAL,
        starts_at=now - dt.timedelta(hours=1),
        closes_at=now + dt.timedelta(days=2),
    )
    question = QuestionFactory(survey=round_.survey)
    links = []
    for _ in range(PEOPLE):
        invitation = InvitationFactory(round=round_, sent_at=now)
        token, digest = token_new()
        InvitationToken.objects.create(invitation=invitation, token_hash=digest)
        links.append(f"/s/{token}/")

    with throwaway_redis(tmp_path) as redis_server:
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "config.settings",
            "CANDOR_VAR_DIR": str(tmp_path),
            "DATABASE_URL": _database_url(),
            "CELERY_BROKER_URL": f"redis://127.0.0.1:{redis_server.port}/0",
            "CACHE_URL": f"redis://127.0.0.1:{redis_server.port}/1",
            "EMAIL_URL": f"filemail://{tmp_path / 'mail'}",
            "SECRET_KEY": "redis-down-test-" + "x" * 40,
            "ALLOWED_HOSTS": "127.0.0.1",
            "TIME_ZONE": settings.TIME_ZONE,
        }
        # Production settings serve hashed static names from the manifest.
        subprocess.run(
            [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"],
            cwd=settings.BASE_DIR, env=env, check=True,
        )  # fmt: skip
        web = _serve(env, port)
        try:
            up = _wait_for(
                lambda: _healthz(base) if _port_answers(base) else None, seconds=30
            )
            assert up is not None and up[0] == 200, up

            redis_server.stop()
            answered = [
                Browser(base).post_form(link, {f"q{question.pk}": "4"})[0]
                for link in links
            ]
            signed_in = Browser(base)
            login = signed_in.post_form(
                "/accounts/login/", {"username": raiser.email, "password": PASSWORD}
            )
            raised = signed_in.post_form(
                "/board/new/",
                {
                    "title": "Will the agent replace the help desk?",
                    "body": "People are worried.",
                    "category": "job_security",
                    "ai_tool": "",
                    "anonymous": "on",
                },
            )
            # /healthz remembers the broker's state a few seconds
            # (HEALTHZ_REMEMBER_SECONDS): once that has passed it must say so.
            status, report = _wait_for(lambda: _broker_down(base), seconds=20) or (
                _healthz(base)
            )
        finally:
            web.terminate()
            _, errors = web.communicate(timeout=30)

    assert answered == [302] * PEOPLE, errors[-3000:]
    assert Response.objects.filter(round=round_).count() == PEOPLE
    assert login[0] == 302, login[1][:500]
    assert raised[0] == 302, raised[1][:500]
    assert Concern.objects.filter(anonymous=True, raised_by=None).count() == 1
    assert status == 503
    assert report["cache"].startswith("error")
    assert report["broker"].startswith("error")
    assert report["database"] == "ok"
    assert "Internal Server Error" not in errors


def _broker_down(base: str) -> tuple[int, dict] | None:
    status, report = _healthz(base)
    return (status, report) if report.get("broker", "ok") != "ok" else None


def _port_answers(base: str) -> bool:
    try:
        urllib.request.urlopen(base + "/healthz", timeout=2)
    except urllib.error.HTTPError:
        return True
    except OSError:
        return False
    return True
