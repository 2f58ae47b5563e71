"""gunicorn's access log (config/gunicorn.py) prints no link's token: not in the
request line, the path or the Referer."""

from __future__ import annotations

import datetime as dt
import importlib.util
from pathlib import Path
from types import SimpleNamespace

from gunicorn.config import Config

from config.gunicorn import RedactingLogger

TOKEN = "Xy7-QmZ_s3cret"
ROOT = Path(__file__).resolve().parents[2]


def _request(path: str, referer: str = "-") -> tuple[object, object, dict]:
    environ = {
        "REQUEST_METHOD": "GET",
        "RAW_URI": path,
        "PATH_INFO": path.split("?")[0],
        "QUERY_STRING": path.partition("?")[2],
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "203.0.113.9",
        "HTTP_REFERER": referer,
        "HTTP_USER_AGENT": "pytest",
    }
    request = SimpleNamespace(headers=[("REFERER", referer)])
    response = SimpleNamespace(status="404 Not Found", sent=120, headers=[])
    return response, request, environ


def _access_line(capsys, path: str, referer: str = "-") -> str:
    config = Config()
    config.set("accesslog", "-")
    logger = RedactingLogger(config)
    response, request, environ = _request(path, referer)

    logger.access(response, request, environ, dt.timedelta(milliseconds=12))

    return capsys.readouterr().out


def test_the_access_log_redacts_a_survey_links_token(capsys):
    line = _access_line(capsys, f"/s/{TOKEN}/?x=1")

    assert TOKEN not in line
    assert '"GET /s/[redacted]/?x=1 HTTP/1.1" 404' in line


def test_the_access_log_redacts_a_token_in_the_referer(capsys):
    line = _access_line(
        capsys, "/s/thanks/", referer=f"https://candor.example/s/{TOKEN}/"
    )

    assert TOKEN not in line
    assert '"GET /s/thanks/ HTTP/1.1"' in line
    assert '"https://candor.example/s/[redacted]/"' in line


def test_every_atom_is_redacted_for_a_custom_access_log_format():
    config = Config()
    response, request, environ = _request(f"/c/{TOKEN}/12/")

    atoms = RedactingLogger(config).atoms(
        response, request, environ, dt.timedelta(seconds=1)
    )

    assert atoms["U"] == "/c/[redacted]/12/"
    assert not [name for name, value in atoms.items() if TOKEN in str(value)]


def test_the_config_file_gunicorn_runs_with_uses_the_redacting_logger():
    path = ROOT / "config" / "gunicorn.py"
    spec = importlib.util.spec_from_file_location("gunicorn_conf", path)
    settings = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(settings)

    assert settings.logger_class.__name__ == "RedactingLogger"
    assert "-c config/gunicorn.py" in (ROOT / "Procfile").read_text()


def test_the_access_log_names_no_address_browser_or_referer(capsys):
    path = ROOT / "config" / "gunicorn.py"
    spec = importlib.util.spec_from_file_location("gunicorn_conf", path)
    settings = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(settings)
    config = Config()
    config.set("accesslog", "-")
    config.set("access_log_format", settings.access_log_format)
    response, request, environ = _request("/board/new/", referer="https://x.example/")

    RedactingLogger(config).access(
        response, request, environ, dt.timedelta(milliseconds=12)
    )
    line = capsys.readouterr().out

    assert '"GET /board/new/ HTTP/1.1" 404' in line
    for told in ("203.0.113.9", "pytest", "x.example"):
        assert told not in line
