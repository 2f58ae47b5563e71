"""Root URLs. /api/v1/ is kept free for the REST API (DESIGN.md)."""

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from config.health import healthz
from org.forms import PasswordSetOrResetForm
from org.views import home

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("admin/", admin.site.urls),
    path(
        "accounts/password_reset/",
        auth_views.PasswordResetView.as_view(form_class=PasswordSetOrResetForm),
        name="password_reset",
    ),
    path("accounts/", include("django.contrib.auth.urls")),
    path("", home, name="home"),
    path("", include("org.urls")),
    path("", include("surveys.urls")),
    path("", include("feedback.urls")),
    path("dashboards/", include("dashboards.urls")),
]
