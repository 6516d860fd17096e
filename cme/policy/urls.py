from django.urls import path

from cme.policy import views

app_name = "policy"
urlpatterns = [
    path("windows/", views.window_list, name="windows"),
    path("windows/add/", views.window_edit, name="window_add"),
    path("windows/<int:pk>/", views.window_edit, name="window_edit"),
]
