from django.urls import path

from cme.distance import meeting_views, views

app_name = "distance"
urlpatterns = [
    path("filings/", views.filing_list, name="filings"),
    path("filings/apply/", views.filing_apply, name="filing_apply"),
    path("filings/<int:pk>/", views.filing_detail, name="filing"),
    path("filings/<int:pk>/decide/", views.filing_decide, name="filing_decide"),
    path("filings/<int:pk>/revoke/", views.filing_revoke, name="filing_revoke"),
    path("filings/<int:pk>/qualification/", views.filing_qualification, name="qualification"),
    path("filings/<int:pk>/courses/add/", views.course_add, name="course_add"),
    path("filings/<int:pk>/completions/", views.completion_upload, name="completion_upload"),
    path("courses/<int:pk>/", views.course_detail, name="course"),
    path("courses/<int:pk>/decide/", views.course_decide, name="course_decide"),
    path("completions/template/", views.completion_template, name="completion_template"),
    path("batches/<int:pk>/", views.batch_detail, name="batch"),
    path("batches/<int:pk>/commit/", views.batch_commit, name="batch_commit"),
    path("batches/<int:pk>/review/", views.batch_review, name="batch_review"),
    path("records/<int:pk>/void/", views.record_void, name="record_void"),
    path("meetings/", meeting_views.meeting_list, name="meetings"),
    path("meetings/add/", meeting_views.meeting_add, name="meeting_add"),
    path("meetings/<int:pk>/", meeting_views.meeting_detail, name="meeting"),
    path("meetings/<int:pk>/plan/", meeting_views.meeting_plan, name="meeting_plan"),
    path("meetings/<int:pk>/attendees/", meeting_views.attendee_add, name="attendee_add"),
    path("meetings/<int:pk>/submit/", meeting_views.meeting_submit, name="meeting_submit"),
    path("meetings/<int:pk>/decide/", meeting_views.meeting_decide, name="meeting_decide"),
    path("meetings/<int:pk>/imports/", meeting_views.attendance_upload, name="attendance_upload"),
    path("meetings/template/", meeting_views.attendance_template, name="attendance_template"),
    path("attendees/<int:pk>/remove/", meeting_views.attendee_remove, name="attendee_remove"),
    path("attendance-imports/<int:pk>/", meeting_views.attendance_import, name="attendance_import"),
    path(
        "attendance-imports/<int:pk>/commit/",
        meeting_views.attendance_commit,
        name="attendance_commit",
    ),
]
