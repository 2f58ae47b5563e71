from django.urls import path

from org import views

app_name = "org"

# A tool's own page (`org:aitool_detail`, tools/<pk>/) shows what other apps know of
# it, so the home app serves it; config/urls.py adds it to this namespace.
urlpatterns = [
    path("tools/", views.aitool_list, name="aitool_list"),
    path("tools/new/", views.aitool_create, name="aitool_create"),
    path("tools/<int:pk>/edit/", views.aitool_edit, name="aitool_edit"),
    path("people/", views.person_list, name="person_list"),
    path("people/import/", views.people_import_upload, name="people_import"),
    path("people/syncs/<int:pk>/", views.people_sync, name="people_sync"),
    path("people/<int:pk>/welcome/", views.person_welcome, name="person_welcome"),
]
