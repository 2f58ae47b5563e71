"""Included by feedback/urls.py, under the `feedback` namespace."""

from django.urls import path

from feedback.rating_views import rate_output

urlpatterns = [
    path("tools/<int:pk>/rate/", rate_output, name="rate_output"),
]
