"""The file of a worker's media message (photo, voice note, video, document), for the inbox only.

Only caseworkers of the CSO that runs the channel get it (the same rule as the conversation page:
`selectors.message_list`); everyone else gets 404. Every read is audited (`media_store.message_media_open`).
Images (re-encoded, metadata-free) are shown inline; everything else is only ever downloaded. No response is
sniffed, scripted or cached by the browser.
"""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_GET

from ilm.channels import media_store, selectors
from ilm.channels.models import Message
from ilm.core.tenancy import get_scoped_or_404, membership_required, scoped_to


@scoped_to(Message)
@require_GET
@membership_required
def message_media_view(request: HttpRequest, pk: int) -> HttpResponse:
    membership = request.membership  # type: ignore[attr-defined]
    messages = selectors.message_list(membership=membership).select_related("conversation")
    message = get_scoped_or_404(messages, request, pk=pk)
    try:
        opened = media_store.message_media_open(actor=membership, message=message)
    except FileNotFoundError:
        raise Http404 from None
    response = HttpResponse(opened.content, content_type=opened.content_type)
    response["Content-Disposition"] = content_disposition_header(not opened.inline, opened.file_name) or (
        "inline" if opened.inline else "attachment"
    )
    response["Content-Length"] = str(len(opened.content))
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "sandbox"
    response["Cross-Origin-Resource-Policy"] = "same-origin"
    response["Cache-Control"] = "private, no-store"
    return response
