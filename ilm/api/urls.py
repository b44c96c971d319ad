"""API v1 router, the OpenAPI schema and its offline docs UI."""

from django.contrib.auth.decorators import login_not_required
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.routers import DefaultRouter

from ilm.accounts import api as accounts_api
from ilm.cases import api as cases_api
from ilm.channels import api as channels_api
from ilm.core import api as core_api
from ilm.dashboards import api as dashboards_api
from ilm.indicators import api as indicators_api
from ilm.jobs import api as jobs_api
from ilm.network import api as network_api
from ilm.plans import api as plans_api
from ilm.plans import api_training
from ilm.recruitment import api as recruitment_api
from ilm.surveys import api as surveys_api

router = DefaultRouter(trailing_slash=True)
router.include_root_view = False
router.register("organisations", network_api.OrganisationViewSet, basename="organisation")
router.register("sites", network_api.SiteViewSet, basename="site")
router.register("headcounts", network_api.HeadcountViewSet, basename="headcount")
router.register("links", network_api.LinkViewSet, basename="link")
router.register("channels", network_api.ChannelViewSet, basename="channel")
router.register("collaborations", network_api.CollaborationViewSet, basename="collaboration")
router.register("countries", network_api.CountryViewSet, basename="country")
router.register("industries", network_api.IndustryViewSet, basename="industry")
router.register("memberships", accounts_api.MembershipViewSet, basename="membership")
router.register("invitations", accounts_api.InvitationViewSet, basename="invitation")
router.register("tokens", accounts_api.ApiTokenViewSet, basename="token")
router.register("audit-events", core_api.AuditEventViewSet, basename="audit-event")
router.register("cases", cases_api.CaseViewSet, basename="case")
router.register("case-actions", cases_api.CaseActionViewSet, basename="case-action")
router.register("issues", cases_api.IssueViewSet, basename="issue")
router.register("issue-categories", cases_api.IssueCategoryViewSet, basename="issue-category")
router.register("workers", cases_api.WorkerViewSet, basename="worker")
router.register("contacts", cases_api.ContactViewSet, basename="contact")
router.register("identity-reveals", cases_api.IdentityRevealViewSet, basename="identity-reveal")
router.register("payments", cases_api.PaymentViewSet, basename="payment")
router.register("validations", cases_api.ValidationViewSet, basename="validation")
router.register("notifications", cases_api.NotificationViewSet, basename="notification")
router.register("attachments", cases_api.AttachmentViewSet, basename="attachment")
router.register("exports", cases_api.ExportViewSet, basename="export")
router.register("conversations", channels_api.ConversationViewSet, basename="conversation")
router.register("validation-requests", channels_api.ValidationRequestViewSet, basename="validationrequest")
router.register("activities", plans_api.ActivityViewSet, basename="activity")
router.register("country-action-plans", plans_api.CountryActionPlanViewSet, basename="country-action-plan")
router.register("business-action-plans", plans_api.BusinessActionPlanViewSet, basename="business-action-plan")
router.register("plan-rows", plans_api.PlanRowViewSet, basename="plan-row")
router.register("plan-check-ins", plans_api.PlanCheckInViewSet, basename="plan-check-in")
router.register("baselines", plans_api.BaselineViewSet, basename="baseline")
router.register("focal-points", plans_api.FocalPointViewSet, basename="focal-point")
router.register("policy-documents", plans_api.PolicyDocumentViewSet, basename="policy-document")
router.register("progress-indicators", plans_api.IndicatorValueViewSet, basename="indicatorvalue")
router.register("indicator-suggestions", plans_api.IndicatorSuggestionViewSet, basename="indicatorsuggestion")
router.register("courses", api_training.CourseViewSet, basename="course")
router.register("training-sessions", api_training.TrainingSessionViewSet, basename="training-session")
recruitment_api.register(router)
surveys_api.register(router)
jobs_api.register(router)
indicators_api.register(router)
dashboards_api.register(router)

urlpatterns = [
    path("v1/me/", accounts_api.MeView.as_view(), name="api-me"),
    path("v1/", include(router.urls)),
    path("schema/", login_not_required(SpectacularAPIView.as_view()), name="api-schema"),
    path("docs/", login_not_required(SpectacularSwaggerSplitView.as_view(url_name="api-schema")), name="api-docs"),
]
