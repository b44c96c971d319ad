from django.urls import path

from ilm.accounts import views

app_name = "accounts"

urlpatterns = [
    path("login/", views.login_view, name="login"),
    path("login/verify/", views.login_verify_view, name="login_verify"),
    path("logout/", views.logout_view, name="logout"),
    path("two-factor/verify/", views.two_factor_verify_view, name="two_factor_verify"),
    path("two-factor/setup/", views.two_factor_setup_view, name="two_factor_setup"),
    path("two-factor/recovery-codes/", views.recovery_codes_view, name="recovery_codes"),
    path("switch/", views.switch_membership_view, name="switch"),
    path("profile/", views.profile_view, name="profile"),
    path("password/", views.password_change_view, name="password_change"),
    path("password-reset/", views.password_reset_view, name="password_reset"),
    path("password-reset/sent/", views.password_reset_done_view, name="password_reset_done"),
    path("password-reset/<uidb64>/<token>/", views.password_reset_confirm_view, name="password_reset_confirm"),
    path("password-reset/done/", views.password_reset_complete_view, name="password_reset_complete"),
    path("members/", views.members_view, name="members"),
    path("members/<int:pk>/role/", views.member_role_view, name="member_role"),
    path("members/<int:pk>/revoke/", views.member_revoke_view, name="member_revoke"),
    path("invitations/<int:pk>/revoke/", views.invitation_revoke_view, name="invitation_revoke"),
    path("invitation/<str:token>/", views.invitation_accept_view, name="invitation_accept"),
    path("tokens/", views.TokensView.as_view(), name="tokens"),
    path("tokens/<int:pk>/revoke/", views.token_revoke_view, name="token_revoke"),
]
