"""plotly.js is served from our own static files, from the installed package."""

from __future__ import annotations

import plotly
from django.contrib.staticfiles import finders


def test_plotly_js_is_found_and_is_the_packages_own_copy():
    found = finders.find("vendor/plotly/plotly.min.js")
    assert found and found.endswith("package_data/plotly.min.js")
    assert plotly.__version__  # the same package the figures are built with


def test_only_plotly_js_is_exposed_from_the_package():
    assert finders.find("vendor/plotly/datasets/iris.csv.gz") is None
    listed = [
        path
        for finder in finders.get_finders()
        for path, _ in finder.list([])
        if "plotly" in path
    ]
    assert listed == ["plotly.min.js"]


def test_it_is_served_without_a_cdn(client):
    response = client.get("/static/vendor/plotly/plotly.min.js")
    assert response.status_code == 200
    assert b"plotly" in b"".join(response.streaming_content)[:2000].lower()
