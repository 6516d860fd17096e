from django.urls import path

from cme.plans import views

app_name = "plans"
urlpatterns = [
    path("", views.plan_list, name="list"),
    path("review/", views.review_queue, name="review_queue"),
    path("template/", views.plan_template, name="template"),
    path("<int:pk>/", views.plan_detail, name="detail"),
    path("<int:pk>/rows/add/", views.row_add, name="row_add"),
    path("rows/<int:pk>/", views.row_edit, name="row_edit"),
    path("rows/<int:pk>/delete/", views.row_delete, name="row_delete"),
    path("<int:pk>/submit/", views.plan_submit, name="submit"),
    path("<int:pk>/import/", views.import_upload, name="import_upload"),
    path("<int:pk>/decide/", views.plan_decide, name="decide"),
    path("<int:pk>/approve-all/", views.plan_approve_all, name="approve_all"),
    path("imports/<int:pk>/", views.import_report, name="import"),
    path("imports/<int:pk>/commit/", views.import_commit, name="import_commit"),
    path("work-reports/", views.work_report, name="work_report"),
    path("work-reports/status/", views.work_report_status_page, name="work_report_status"),
    path("work-reports/<int:pk>/file/", views.work_report_file, name="work_report_file"),
]
