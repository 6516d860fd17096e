from django.urls import path

from cme.notices import views

app_name = "notices"
urlpatterns = [
    path("", views.notice_list, name="list"),
    path("<int:pk>/", views.notice_detail, name="detail"),
    path("<int:notice_pk>/attachments/<int:pk>/", views.attachment_download, name="attachment"),
    path("manage/", views.manage_list, name="manage"),
    path("manage/add/", views.notice_add, name="add"),
    path("manage/<int:pk>/", views.manage_detail, name="manage_detail"),
    path("manage/<int:pk>/attachments/", views.notice_attach, name="attach"),
    path(
        "manage/<int:pk>/attachments/<int:attachment_pk>/delete/",
        views.notice_detach,
        name="detach",
    ),
    path("manage/<int:pk>/publish/", views.notice_publish, name="publish"),
    path("manage/<int:pk>/withdraw/", views.notice_withdraw, name="withdraw"),
]
