from django.contrib.auth import views as auth_views
from django.urls import include, path

from cme.accounts import views

account_patterns = [
    path("apply/", views.apply, name="apply"),
    path("apply/status/", views.apply_status, name="apply_status"),
    path("apply/resubmit/", views.apply_resubmit, name="apply_resubmit"),
    path("password-reset/", views.password_reset_request, name="password_reset_request"),
    path("requests/", views.requests, name="requests"),
    path("requests/applications/<int:pk>/", views.application_detail, name="application"),
    path("requests/renames/<int:pk>/", views.rename_detail, name="rename"),
    path("requests/resets/<int:pk>/", views.reset_detail, name="reset"),
    path("units/<int:org_pk>/rename/", views.rename_request, name="rename_request"),
    path("units/<int:org_pk>/hand-over/", views.hand_over, name="hand_over"),
    path("tokens/", views.tokens, name="tokens"),
    path("tokens/<int:pk>/revoke/", views.token_revoke, name="token_revoke"),
]

urlpatterns = [
    path("", views.home, name="home"),
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("password/", views.password_change, name="password_change"),
    path("accounts/", include((account_patterns, "accounts"))),
]
