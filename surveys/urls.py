from django.urls import include, path

from surveys import views

app_name = "surveys"

urlpatterns = [
    # The private link in every invitation and reminder email.
    path("s/thanks/", views.answer_thanks, name="answer_thanks"),
    path("s/<str:token>/", views.answer_by_link, name="answer"),
    path("me/surveys/<int:pk>/", views.answer_signed_in, name="answer_signed_in"),
    # HR's pages to build, schedule and follow surveys.
    path("surveys/", include("surveys.builder_urls")),
]
