from django.urls import path

from cme.claims import views

app_name = "claims"
urlpatterns = [
    path("", views.claim_list, name="mine"),
    path("new/", views.claim_new, name="new"),
    path("review/", views.claim_queue, name="queue"),
    path("<int:pk>/", views.claim_detail, name="detail"),
    path("<int:pk>/edit/", views.claim_edit, name="edit"),
    path("<int:pk>/decide/", views.claim_decide, name="decide"),
    path("<int:pk>/evidence/", views.claim_evidence, name="evidence"),
    path("activities/", views.activity_list, name="activities"),
    path("activities/new/", views.activity_new, name="activity_new"),
    path("activities/<int:pk>/", views.activity_detail, name="activity"),
]
