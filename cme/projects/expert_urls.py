from django.urls import path

from cme.projects import expert_views

app_name = "project_experts"
urlpatterns = [
    path("mine/", expert_views.my_reviews, name="mine"),
    path("reviews/<int:pk>/", expert_views.score, name="score"),
    path("projects/<int:pk>/", expert_views.assign, name="assign"),
]
