from django.urls import path

from api import people, survey_api, token_api, views

app_name = "api"

urlpatterns = [
    path("tools/", people.ToolListCreate.as_view(), name="tools"),
    path("tools/<int:pk>/", people.ToolDetailUpdate.as_view(), name="tool"),
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
    # HR's surveys and their life (api/survey_api.py).
    path(
        "survey-templates/",
        survey_api.SurveyTemplateList.as_view(),
        name="survey_templates",
    ),
    path("surveys/", survey_api.SurveyListCreate.as_view(), name="surveys"),
    path("surveys/<int:pk>/", survey_api.SurveyDetail.as_view(), name="survey"),
    path("surveys/<int:pk>/rounds/", views.RoundList.as_view(), name="rounds"),
    *(
        path(
            f"surveys/<int:pk>/{name}/",
            view.as_view(),
            name=f"survey_{name}",
        )
        for name, view in (
            ("activate", survey_api.SurveyActivate),
            ("pause", survey_api.SurveyPause),
            ("resume", survey_api.SurveyResume),
            ("archive", survey_api.SurveyArchive),
            ("restore", survey_api.SurveyRestore),
        )
    ),
    path(
        "rounds/<int:pk>/publish/", views.RoundPublish.as_view(), name="round_publish"
    ),
    path("tokens/", token_api.TokenList.as_view(), name="tokens"),
    path("tokens/<int:pk>/", token_api.TokenDetail.as_view(), name="token"),
    path(
        "tokens/<int:pk>/revoke/", token_api.TokenRevoke.as_view(), name="token_revoke"
    ),
    # HR's side of the organisation (api/people.py).
    path("people/", people.PersonList.as_view(), name="people"),
    path("people/sync/", people.PeopleSyncView.as_view(), name="people_sync"),
    path(
        "people/sync/<int:pk>/",
        people.PeopleSyncStatus.as_view(),
        name="people_sync_status",
    ),
    path("people/<int:pk>/", people.PersonDetail.as_view(), name="person"),
    path(
        "people/<int:pk>/deactivate/",
        people.PersonDeactivate.as_view(),
        name="person_deactivate",
    ),
    path("teams/", people.TeamList.as_view(), name="teams"),
    path("teams/<int:pk>/", people.TeamDetail.as_view(), name="team"),
    path("departments/", people.DepartmentList.as_view(), name="departments"),
    path("departments/<int:pk>/", people.DepartmentDetail.as_view(), name="department"),
    path("customers/", people.CustomerList.as_view(), name="customers"),
    path("customers/<int:pk>/", people.CustomerDetail.as_view(), name="customer"),
    path(
        "customers/<int:pk>/retire/",
        people.CustomerRetire.as_view(),
        name="customer_retire",
    ),
    path("tools/<int:pk>/retire/", people.ToolRetire.as_view(), name="tool_retire"),
]
