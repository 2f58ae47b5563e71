"""HR's survey builder, under /surveys/ in the `surveys` namespace."""

from django.urls import path

from surveys import builder_views as views
from surveys import lifecycle_views

urlpatterns = [
    path("", views.survey_list, name="survey_list"),
    path("new/", views.survey_create, name="survey_create"),
    path(
        "from-template/",
        views.survey_from_template_view,
        name="survey_from_template",
    ),
    path("<int:pk>/", views.survey_detail, name="survey_detail"),
    path("<int:pk>/edit/", views.survey_edit, name="survey_edit"),
    path("<int:pk>/preview/", views.survey_preview, name="survey_preview"),
    # A survey's life: each page shows what the move does; its POST makes it.
    path("<int:pk>/activate/", lifecycle_views.survey_activate, name="survey_activate"),
    path("<int:pk>/pause/", lifecycle_views.survey_pause, name="survey_pause"),
    path("<int:pk>/resume/", lifecycle_views.survey_resume, name="survey_resume"),
    path("<int:pk>/archive/", lifecycle_views.survey_archive, name="survey_archive"),
    path("<int:pk>/restore/", lifecycle_views.survey_restore, name="survey_restore"),
    path("<int:pk>/questions/new/", views.question_create, name="question_create"),
    path("questions/<int:pk>/edit/", views.question_edit, name="question_edit"),
    path("questions/<int:pk>/delete/", views.question_delete, name="question_delete"),
    path("questions/<int:pk>/move/", views.question_move, name="question_move"),
]
