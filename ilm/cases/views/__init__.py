"""Case pages (server-rendered, htmx where it helps). ilm/cases/urls.py adds ilm/cases/views_files.py.

page.py      the acting membership, the scoped case, the form-page shape
lists.py     the case list, notifications
detail.py    the case page (owner and business versions), "Show identity" on a case
actions.py   every lifecycle step, the CSO's and the business's
workers.py   contacts, opening a case, the worker page
"""

from django.urls import URLPattern, path

from ilm.cases.views import actions, detail, lists, workers

urlpatterns: list[URLPattern] = [
    path("", lists.CaseListView.as_view(), name="case_list"),
    path("new/", workers.case_open_view, name="case_open"),
    path("businesses/", lists.business_suggestions_view, name="business_suggestions"),
    path("contacts/new/", workers.contact_create_view, name="contact_create"),
    path("calls/", workers.call_log_view, name="call_log"),
    path("notifications/", lists.notification_list_view, name="notification_list"),
    path("notifications/badge/", lists.notification_badge_view, name="notification_badge"),
    path("notifications/read/", lists.notification_read_all_view, name="notification_read_all"),
    path("notifications/<int:pk>/read/", lists.notification_read_view, name="notification_read"),
    path("workers/<int:pk>/", workers.WorkerDetailView.as_view(), name="worker_detail"),
    path("workers/<int:pk>/identity/", workers.worker_identity_view, name="worker_identity"),
    path("workers/<int:pk>/consent/", workers.worker_consent_view, name="worker_consent"),
    path("workers/<int:pk>/erase/", workers.worker_erase_view, name="worker_erase"),
    path("<int:pk>/", detail.CaseDetailView.as_view(), name="case_detail"),
    path("<int:pk>/edit/", actions.case_edit_view, name="case_edit"),
    path("<int:pk>/businesses/add/", actions.case_add_business_view, name="case_add_business"),
    path("<int:pk>/workers/link/", actions.case_link_worker_view, name="case_link_worker"),
    path("<int:pk>/workers/<int:worker_pk>/identity/", detail.case_worker_identity_view, name="case_worker_identity"),
    path("<int:pk>/issues/add/", actions.issue_add_view, name="issue_add"),
    path("<int:pk>/issues/<int:issue_pk>/edit/", actions.issue_edit_view, name="issue_edit"),
    path("<int:pk>/issues/<int:issue_pk>/rate/", actions.issue_rate_view, name="issue_rate"),
    path("<int:pk>/assess/", actions.case_assess_view, name="case_assess"),
    path("<int:pk>/share/", actions.case_share_view, name="case_share"),
    path("<int:pk>/note/", actions.case_note_view, name="case_note"),
    path("<int:pk>/request-validation/", actions.case_request_validation_view, name="case_request_validation"),
    path("<int:pk>/validation/", actions.validation_record_view, name="validation_record"),
    path("<int:pk>/close/", actions.case_close_view, name="case_close"),
    path("<int:pk>/reopen/", actions.case_reopen_view, name="case_reopen"),
    path("<int:pk>/escalate/", actions.case_escalate_view, name="case_escalate"),
    path("<int:pk>/payments/add/", actions.payment_add_view, name="payment_add"),
    path("<int:pk>/payments/<int:payment_pk>/verify/", actions.payment_verify_view, name="payment_verify"),
    path("<int:pk>/reveals/request/", actions.reveal_request_view, name="reveal_request"),
    path("<int:pk>/reveals/<int:reveal_pk>/decide/", actions.reveal_decide_view, name="reveal_decide"),
    path("<int:pk>/respond/", actions.case_respond_view, name="case_respond"),
    path("<int:pk>/actions/add/", actions.action_add_view, name="action_add"),
    path("<int:pk>/actions/<int:action_pk>/update/", actions.action_update_view, name="action_update"),
]
