"""Evidence files on a case: the write path (`attachment_add`) and the read path (`attachment_open`).

What a file is comes from its bytes, never from its name or the browser's Content-Type header:

| accepted | recognised by |
|---|---|
| PDF | `%PDF-` at the start; no JavaScript, launch actions or embedded files |
| JPEG, PNG, WebP | their magic numbers, then decoded and re-encoded by Pillow (EXIF, GPS, XMP, ICC, comments dropped) |
| plain text, CSV | UTF-8, no NUL byte, no HTML or SVG markup |
| XLSX, DOCX | a ZIP whose `[Content_Types].xml` names a workbook or a document; no macros, ActiveX or OLE objects |

Everything else (executables, HTML, SVG, other ZIP archives, legacy Office files) is refused with a message
saying why, and nothing is saved. The size limit is `ILM_ATTACHMENT_MAX_BYTES` (10 MB); images are limited
to `ILM_ATTACHMENT_MAX_PIXELS` (40 megapixels) before they are decoded, against decompression bombs.

Who may add: the case's CSO caseworkers and the technical partner (`_require_caseworker`), and responders of
a business the case concerns once it is shared (`_require_responder`). Business uploads are seen by the CSO
and by the business that uploaded them; CSO uploads are CSO-only unless `visible_to_business=True`
(`selectors.attachment_list`). Every upload and every download is audited.
"""

from __future__ import annotations

import os
from typing import IO, Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils.translation import gettext as _

from ilm.cases.models import Attachment, Case, CaseStatus
from ilm.cases.selectors import attachment_list, owns_case
from ilm.cases.services import _locked, _require_caseworker, _require_responder, _touch
from ilm.core import audit, crypto
from ilm.core.uploads import (
    EXTENSIONS,
    CheckedFile,
    clean_file_name,
    inspect,
    max_bytes,
    read_upload,
    too_large_message,
)


def download_name(*, actor: Any, attachment: Attachment) -> str:
    """The name a file is downloaded (and listed) under. The original name may name a worker, so only the
    case's owners and the organisation that uploaded it see it; others get the case reference and a number.
    The extension always matches the type the bytes were found to be."""
    extensions = EXTENSIONS.get(attachment.content_type, ("",))
    may_see_name = owns_case(actor, attachment.case) or attachment.organisation_id == actor.organisation_id
    stem, extension = os.path.splitext(clean_file_name(attachment.original_name) if may_see_name else "")
    if not stem:
        stem = f"{attachment.case.reference}-{attachment.pk}"
    if extension.lower() not in extensions:
        extension = extensions[0]
    return stem + extension


# --- the write path and the read path ----------------------------------------------------------------


def _require_uploader(actor: Any, case: Case) -> bool:
    """Raise PermissionDenied unless the actor may add a file; return whether they add it as the case's owner."""
    if owns_case(actor, case):
        _require_caseworker(actor, case)
        return True
    _require_responder(actor, case)
    return False


def may_add_attachment(actor: Any, case: Case) -> bool:
    try:
        by_owner = _require_uploader(actor, case)
    except PermissionDenied:
        return False
    return by_owner or case.status != CaseStatus.CLOSED


def attachment_purpose(sha256: str) -> str:
    return f"cases.attachment.{sha256}"


def attachment_add(
    *, actor: Any, case: Case, upload: Any, description: str = "", visible_to_business: bool = False
) -> Attachment:
    """Add a file to a case. The bytes are checked (and images re-encoded) before anything is written;
    a refusal is a ValidationError on `file` and saves nothing."""
    by_owner = _require_uploader(actor, case)
    if visible_to_business and not by_owner:
        raise ValidationError({"visible_to_business": _("Only the CSO decides that businesses see a file.")})
    description = (description or "").strip()
    if len(description) > 300:
        raise ValidationError({"description": _("Keep the description under 300 characters.")})
    name = clean_file_name(getattr(upload, "name", "") or "")
    checked = inspect(read_upload(upload), name)
    with transaction.atomic():
        case = _locked(case)
        if not by_owner and case.status == CaseStatus.CLOSED:
            raise ValidationError(_("This case is closed."))
        attachment = Attachment(
            case=case,
            organisation_id=actor.organisation_id,
            uploaded_by=actor,
            original_name=name,
            content_type=checked.content_type,
            size=len(checked.content),
            sha256=checked.sha256,
            visible_to_business=bool(visible_to_business) if by_owner else False,
            description=description,
        )
        # Encrypted at rest, bound to the file's recorded digest (a swapped file does not open).
        sealed = crypto.encrypt_bytes(checked.content, purpose=attachment_purpose(checked.sha256))
        attachment.file.save("upload", ContentFile(sealed), save=False)
        try:
            attachment.save()
            _touch(case)
            audit.record(
                "attachment.added",
                membership=actor,
                obj=attachment,
                target_organisation_id=case.cso_id,
                detail={
                    "case": case.pk,
                    "content_type": checked.content_type,
                    "size": attachment.size,
                    "visible_to_business": attachment.visible_to_business,
                },
            )
        except BaseException:
            attachment.file.delete(save=False)
            raise
    return attachment


def attachment_open(*, actor: Any, attachment: Attachment) -> tuple[IO[bytes], str, str]:
    """The stored file (open for reading), its type and the name to download it under. Audited."""
    if not attachment_list(membership=actor).filter(pk=attachment.pk).exists():
        raise PermissionDenied(_("Your role does not allow this."))
    if not attachment.file.name:
        raise FileNotFoundError
    handle = crypto.open_stored_file(
        attachment.file.storage, attachment.file.name, purpose=attachment_purpose(attachment.sha256)
    )
    audit.record(
        "attachment.downloaded",
        membership=actor,
        obj=attachment,
        target_organisation_id=attachment.case.cso_id,
        detail={"case": attachment.case_id, "own_organisation": attachment.organisation_id == actor.organisation_id},
    )
    return handle, attachment.content_type, download_name(actor=actor, attachment=attachment)


def visible_attachments(*, actor: Any, case: Case) -> list[tuple[Attachment, str]]:
    """The case's files the actor may see, each with the name to show."""
    attachments = attachment_list(membership=actor).filter(case=case).select_related("case", "organisation")
    return [(a, download_name(actor=actor, attachment=a)) for a in attachments]


__all__ = [
    "CheckedFile",
    "attachment_add",
    "attachment_open",
    "download_name",
    "inspect",
    "max_bytes",
    "may_add_attachment",
    "read_upload",
    "too_large_message",
    "visible_attachments",
]
