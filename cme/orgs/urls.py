from django.urls import path

from cme.orgs import views

app_name = "orgs"
urlpatterns = [
    path("", views.org_list, name="list"),
    path("<int:pk>/", views.org_detail, name="detail"),
    path("<int:pk>/edit/", views.org_edit, name="edit"),
    path("<int:pk>/deregister/", views.org_deregister, name="deregister"),
]
