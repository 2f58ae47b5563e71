from django.urls import include, path

app_name = "surveys"

urlpatterns = [
    # HR's pages to build, schedule and follow surveys.
    path("surveys/", include("surveys.builder_urls")),
]
