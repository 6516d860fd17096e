from django.urls import path

from cme.projects import views

app_name = "projects"
urlpatterns = [
    path("", views.project_list, name="list"),
    path("new/", views.project_start, name="start"),
    path("publish/", views.project_publish, name="publish"),
    path("review/", views.review_queue, name="review_queue"),
    path("review/batch/", views.review_batch, name="review_batch"),
    path("review/<int:step_pk>/", views.review_decide, name="review"),
    path("<int:pk>/", views.project_detail, name="detail"),
    path("<int:pk>/edit/<slug:tab>/", views.project_edit, name="edit"),
    path("<int:pk>/check/", views.project_check, name="check"),
    path("<int:pk>/submit/", views.project_submit, name="submit"),
]
