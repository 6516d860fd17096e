from django.urls import path

from cme.projects import document_views as views

app_name = "project_documents"
urlpatterns = [
    path("", views.index, name="index"),
    path("<int:pk>/form.pdf", views.application_form, name="application_form"),
    path("summary/national.xlsx", views.national_summary, name="national_summary"),
    path("summary/provincial.xlsx", views.provincial_summary, name="provincial_summary"),
    path("summary/society.xlsx", views.society_summary, name="society_summary"),
    path("contacts.xlsx", views.contacts, name="contacts"),
    path("published/", views.published_list, name="published_list"),
    path("published/import/", views.published_import, name="published_import"),
    path(
        "published/import/<int:pk>/",
        views.published_import_detail,
        name="published_import_detail",
    ),
    path(
        "published/import/<int:pk>/commit/",
        views.published_import_commit,
        name="published_import_commit",
    ),
]
