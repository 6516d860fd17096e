from django.urls import path

from cme.stats import views

app_name = "stats"
urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("projects/", views.project_list, name="projects"),
    path("units/", views.unit_list, name="units"),
    path("overdue/", views.overdue_list, name="overdue"),
    path("credits/", views.credit_list, name="credits"),
    path("audits/", views.audit_list, name="audits"),
    path("indicators/", views.indicator_list, name="indicators"),
]
