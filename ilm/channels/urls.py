from django.contrib.auth.decorators import login_not_required
from django.urls import URLPattern, path

from ilm.channels import views, webhooks

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
]
