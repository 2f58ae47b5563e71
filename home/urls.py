"""The pages that combine apps, included at the root by config/urls.py."""

from django.urls import path

from home import views

urlpatterns = [
    path("", views.home, name="home"),
]
