from django.urls import path

from cme.holding import views

app_name = "holding"
urlpatterns = [
    path("", views.holding_index, name="index"),
    path("projects/<int:project_pk>/", views.project_sessions, name="project_sessions"),
    path(
        "sessions/<int:session_pk>/pre-reports/<slug:kind>/",
        views.pre_report_submit,
        name="pre_report_submit",
    ),
    path("filing-form/", views.filing_form, name="filing_form"),
    path("pre-reports/", views.pre_report_list, name="pre_reports"),
]
