from django.urls import path

from cme.holding import report_views, roster_views, views

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

urlpatterns += [
    path("sessions/<int:session_pk>/", report_views.session_detail, name="session_detail"),
    path(
        "sessions/<int:session_pk>/changes/", report_views.session_changes, name="session_changes"
    ),
    path("projects/<int:project_pk>/leader/", report_views.leader_change, name="leader_change"),
    path("sessions/<int:session_pk>/report/", report_views.report_edit, name="report_edit"),
    path(
        "sessions/<int:session_pk>/report/review/", report_views.report_review, name="report_review"
    ),
    path("reports/", report_views.report_queue, name="report_queue"),
    path("mine/", report_views.my_sessions, name="my_sessions"),
    path("mine/<int:attendee_pk>/evaluation/", report_views.evaluate, name="evaluate"),
]

# 学员通讯录: the roster, its import, entry by hand, pass/fail and check-in (roster_views).
urlpatterns += [
    path("sessions/<int:session_pk>/roster/", roster_views.roster, name="roster"),
    path(
        "sessions/<int:session_pk>/roster/template.xlsx",
        roster_views.roster_template,
        name="roster_template",
    ),
    path(
        "sessions/<int:session_pk>/roster/import/", roster_views.roster_import, name="roster_import"
    ),
    path(
        "roster-imports/<int:pk>/", roster_views.roster_import_detail, name="roster_import_detail"
    ),
    path(
        "roster-imports/<int:pk>/commit/",
        roster_views.roster_import_commit,
        name="roster_import_commit",
    ),
    path("sessions/<int:session_pk>/roster/add/", roster_views.attendee_add, name="attendee_add"),
    path(
        "sessions/<int:session_pk>/roster/pass-all/",
        roster_views.roster_pass_all,
        name="roster_pass_all",
    ),
    path("attendees/<int:pk>/passed/", roster_views.attendee_passed, name="attendee_passed"),
    path("attendees/<int:pk>/remove/", roster_views.attendee_remove, name="attendee_remove"),
    path("sessions/<int:session_pk>/check-in/", roster_views.check_in_qr, name="check_in_qr"),
    path(
        "sessions/<int:session_pk>/check-in/open/",
        roster_views.check_in_open,
        name="check_in_open",
    ),
    path(
        "sessions/<int:session_pk>/check-in/close/",
        roster_views.check_in_close,
        name="check_in_close",
    ),
]

# The public check-in page (no login), mounted at /checkin/ by cme/urls.py.
public_urlpatterns = [path("<str:token>/", roster_views.check_in, name="check_in")]
