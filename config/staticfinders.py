"""plotly.js from the installed plotly package, as static/vendor/plotly/plotly.min.js.

Served from our own static files (never a CDN) and always the version the Python
figures were built for, without copying a 4 MB file into the repository. Only that
one file is exposed: the package's datasets stay out of collectstatic.
"""

from __future__ import annotations

from pathlib import Path

import plotly
from django.contrib.staticfiles.finders import BaseFinder
from django.core.files.storage import FileSystemStorage

PLOTLY_JS = "vendor/plotly/plotly.min.js"
_SOURCE = Path(plotly.__file__).parent / "package_data"


class PlotlyFinder(BaseFinder):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.storage = FileSystemStorage(location=str(_SOURCE))
        self.storage.prefix = "vendor/plotly"

    def check(self, **kwargs):
        return []

    def find(self, path, find_all=False, **kwargs):
        if path != PLOTLY_JS:
            return []  # as Django's own finders do, for either mode
        match = str(_SOURCE / "plotly.min.js")
        return [match] if find_all else match

    def list(self, ignore_patterns):
        yield "plotly.min.js", self.storage
