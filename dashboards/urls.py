from django.urls import path

from dashboards import comment_views, views

app_name = "dashboards"

urlpatterns = [
    path("", views.overview, name="overview"),
    path("concerns/", views.concern_overview, name="concerns"),
    path("customers/", views.customer_overview, name="customers"),
    path("comments/", comment_views.comments, name="comments"),
    path("rounds/<int:pk>/publish/", views.round_publish_view, name="round_publish"),
]
