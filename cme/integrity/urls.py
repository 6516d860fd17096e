from django.urls import path

from cme.integrity import views

app_name = "integrity"
urlpatterns = [
    path("", views.alert_list, name="list"),
    path("scan/", views.scan, name="scan"),
    path("<int:pk>/", views.alert_detail, name="detail"),
    path("<int:pk>/decide/", views.alert_decide, name="decide"),
]
