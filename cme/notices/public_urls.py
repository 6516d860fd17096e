"""The public notices (公开), read without login."""

from django.urls import path

from cme.notices import views

urlpatterns = [
    path("", views.public_list, name="public_notices"),
    path("<int:pk>/", views.public_detail, name="public_notice"),
    path(
        "<int:notice_pk>/attachments/<int:pk>/",
        views.public_attachment_download,
        name="public_notice_attachment",
    ),
]
