from django.urls import path

from cme.credits import views

app_name = "credits"
urlpatterns = [
    path("mine/", views.my_credits, name="mine"),
    path("persons/<int:person_pk>/", views.person_credits, name="person"),
    path("persons/<int:person_pk>/exempt/", views.exempt, name="exempt"),
]
