from django.urls import path

from api import token_api, views

app_name = "api"

urlpatterns = [
    path("tools/", views.ToolList.as_view(), name="tools"),
    path("tools/<int:pk>/", views.ToolDetail.as_view(), name="tool"),
    path(
        "tools/<int:pk>/dashboard/",
        views.ToolDashboard.as_view(),
        name="tool_dashboard",
    ),
    path("concerns/", views.ConcernList.as_view(), name="concerns"),
    path("concerns/<int:pk>/", views.ConcernDetail.as_view(), name="concern"),
    path(
        "concerns/<int:pk>/comments/",
        views.CommentCreate.as_view(),
        name="concern_comments",
    ),
    path("concerns/<int:pk>/support/", views.Support.as_view(), name="concern_support"),
    path("dashboards/<str:page>/", views.Dashboard.as_view(), name="dashboard"),
    path("surveys/", views.SurveyList.as_view(), name="surveys"),
    path("surveys/<int:pk>/rounds/", views.RoundList.as_view(), name="rounds"),
    path(
        "rounds/<int:pk>/publish/", views.RoundPublish.as_view(), name="round_publish"
    ),
    path("tokens/", token_api.TokenList.as_view(), name="tokens"),
    path("tokens/<int:pk>/", token_api.TokenDetail.as_view(), name="token"),
    path(
        "tokens/<int:pk>/revoke/", token_api.TokenRevoke.as_view(), name="token_revoke"
    ),
]
