from django.urls import include, path

from feedback.views import board, manage, public, thread, updates

app_name = "feedback"

urlpatterns = [
    path("board/", board.board, name="board"),
    path("board/new/", board.concern_create, name="concern_create"),
    path("board/moderation/", manage.moderation_page, name="moderation"),
    path("board/flags/<int:pk>/dismiss/", manage.flag_dismiss, name="flag_dismiss"),
    path("board/<int:pk>/", thread.concern_detail, name="concern_detail"),
    path("board/<int:pk>/edit/", thread.concern_edit_view, name="concern_edit"),
    path("board/<int:pk>/comments/", thread.comment_create, name="comment_create"),
    path("board/<int:pk>/support/", thread.support, name="concern_support"),
    path("board/<int:pk>/follow/", thread.follow, name="concern_follow"),
    path("board/<int:pk>/flag/", thread.concern_flag, name="concern_flag"),
    path("board/<int:pk>/status/", manage.concern_status, name="concern_status"),
    path("board/<int:pk>/reassign/", manage.concern_reassign, name="concern_reassign"),
    path("board/<int:pk>/merge/", manage.concern_merge, name="concern_merge"),
    path("board/<int:pk>/hide/", manage.concern_hide, name="concern_hide"),
    path(
        "board/comments/<int:pk>/edit/", thread.comment_edit_view, name="comment_edit"
    ),
    path("board/comments/<int:pk>/flag/", thread.comment_flag, name="comment_flag"),
    path("board/comments/<int:pk>/hide/", manage.comment_hide, name="comment_hide"),
    path("you-said-we-did/", board.you_said_we_did, name="you_said_we_did"),
    path("updates/", updates.update_list, name="update_list"),
    path("updates/new/", updates.update_create, name="update_create"),
    # Rating an AI tool's output (feedback/rating_urls.py, its own engineer's).
    path("", include("feedback.rating_urls")),
    # Without sign-in: a customer's private link and the unsubscribe in emails.
    path("c/<str:token>/", public.customer_board, name="customer_board"),
    path("c/<str:token>/<int:pk>/", public.customer_concern, name="customer_concern"),
    path("unsubscribe/<str:token>/", public.unsubscribe, name="unsubscribe"),
]
