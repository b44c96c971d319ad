from django.contrib.auth.decorators import login_not_required
from django.urls import URLPattern, path

from ilm.channels import views, views_media, views_validation, webhooks

app_name = "channels"

urlpatterns: list[URLPattern] = [
    path("hooks/<str:webhook_key>/", login_not_required(webhooks.webhook_view), name="webhook"),
    path("inbox/", views.inbox_view, name="inbox"),
    path("quick-replies/", views.quick_reply_list_view, name="quick_replies"),
    path("quick-replies/<int:pk>/", views.quick_reply_edit_view, name="quick_reply_edit"),
    path("settings/new/", views.channel_create_view, name="channel_create"),
    path("settings/<int:pk>/", views.channel_settings_view, name="channel_settings"),
    path("inbox/<int:pk>/", views.conversation_view, name="conversation"),
    path("inbox/<int:pk>/reply/", views.reply_view, name="reply"),
    path("inbox/<int:pk>/assign/", views.assign_view, name="assign"),
    path("inbox/<int:pk>/open-case/", views.open_case_view, name="open_case"),
    path("inbox/<int:pk>/attach-case/", views.attach_case_view, name="attach_case"),
    path("inbox/<int:pk>/link-worker/", views.link_worker_view, name="link_worker"),
    path("inbox/<int:pk>/language/", views.language_view, name="language"),
    path("messages/<int:pk>/media/", views_media.message_media_view, name="message_media"),
    path("cases/<int:pk>/ask-validation/", views_validation.validation_ask_view, name="validation_ask"),
    path(
        "validation-requests/<int:pk>/",
        views_validation.validation_confirm_view,
        name="validation_confirm",
    ),
    path(
        "validation-requests/<int:pk>/set-aside/",
        views_validation.validation_set_aside_view,
        name="validation_set_aside",
    ),
    path(
        "validation-requests/<int:pk>/withdraw/",
        views_validation.validation_withdraw_view,
        name="validation_withdraw",
    ),
]
