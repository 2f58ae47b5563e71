from django.urls import path

from dashboards import comment_views, tool_views, views

app_name = "dashboards"

urlpatterns = [
    path("", views.overview, name="overview"),
    path("concerns/", views.concern_overview, name="concerns"),
    path("customers/", views.customer_overview, name="customers"),
    path("comments/", comment_views.comments, name="comments"),
    path("tools/", tool_views.tool_overview, name="tools"),
    path("tools/<int:pk>/", tool_views.tool_detail, name="tool"),
    path("rounds/<int:pk>/publish/", views.round_publish_view, name="round_publish"),
]
