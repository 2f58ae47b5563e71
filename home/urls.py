"""The pages that combine apps, included by config/urls.py."""

from django.urls import path

from home import views

urlpatterns = [
    path("", views.home, name="home"),
]

# An AI tool's page keeps its name beside the tool's other pages: config/urls.py
# puts these in org's namespace (`org:aitool_detail`), where links across the
# project ask for it.
org_urlpatterns = [
    path("tools/<int:pk>/", views.aitool_detail, name="aitool_detail"),
]
