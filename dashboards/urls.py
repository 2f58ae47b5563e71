from django.urls import path

from dashboards import views

app_name = "dashboards"

urlpatterns = [
    path("", views.overview, name="overview"),
    path("concerns/", views.concern_overview, name="concerns"),
    path("customers/", views.customer_overview, name="customers"),
    path("rounds/<int:pk>/publish/", views.round_publish_view, name="round_publish"),
]
