from django.urls import path

from cme.supervision import views

app_name = "supervision"
urlpatterns = [
    path("sanctions/", views.sanction_list, name="sanctions"),
    path("sanctions/add/", views.sanction_create, name="sanction_add"),
    path("sanctions/<int:pk>/", views.sanction_detail, name="sanction_detail"),
    path("sanctions/<int:pk>/revoke/", views.sanction_revoke, name="sanction_revoke"),
    path("sanctions/<int:pk>/evidence/", views.sanction_evidence, name="sanction_evidence"),
    path("quotas/", views.quota_list, name="quotas"),
    path("quotas/compute/", views.quota_compute, name="quota_compute"),
    path("quotas/<int:unit_pk>/set/", views.quota_set, name="quota_set"),
]
