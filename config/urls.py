"""Root URLs. The REST API is under /api/v1/, its OpenAPI 3 schema at /api/schema/,
its documentation at /api/docs/; HR's API tokens at /people/api-tokens/."""

from django.contrib import admin
from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularAPIView

from api import docs as api_docs
from config.health import healthz, livez
from core import errors
from home.urls import org_urlpatterns as tool_page
from org import urls as org_urls
from org.views import PasswordResetView

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("livez", livez, name="livez"),
    path("admin/", admin.site.urls),
    path("api/v1/", api_docs.Index.as_view(), name="api_index"),
    path("api/v1/", include("api.urls")),
    re_path(r"^api/v1/", api_docs.Missing.as_view()),  # after every API route
    path("api/schema/", SpectacularAPIView.as_view(), name="api_schema"),
    path("api/docs/", api_docs.docs, name="api_docs"),
    path("people/api-tokens/", include("api.page_urls")),
    path(
        "accounts/password_reset/",
        PasswordResetView.as_view(),
        name="password_reset",
    ),
    path("accounts/", include("django.contrib.auth.urls")),
    path("", include("home.urls")),
    # org's pages, and an AI tool's page (served by home, as it shows what several
    # apps know of the tool) under the same `org:` names.
    path("", include(([*org_urls.urlpatterns, *tool_page], org_urls.app_name))),
    path("", include("surveys.urls")),
    path("", include("feedback.urls")),
    path("dashboards/", include("dashboards.urls")),
]

# Error pages in the site's layout, with a way back (core/errors.py).
handler400 = errors.bad_request
handler403 = errors.permission_denied
handler404 = errors.page_not_found
handler500 = errors.server_error
