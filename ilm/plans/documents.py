"""Labour-policy files on a business's baseline: the write path (`policy_document_add`,
`policy_document_remove`) and the read path (`policy_document_open`).

Files are checked like case files (ilm/core/uploads.py: the type comes from the bytes; PDFs without
scripts, photos re-encoded without metadata, Office files without macros) and stored encrypted with the
digest bound in (a swapped file does not open). Who adds and removes: whoever edits the business's plans and
baseline (the business itself, the technical partner). Who downloads: whoever reads the baseline (the
business, its buyers, the technical partner): `selectors.policy_document_list`. Every upload, download and
removal is audited.
"""

from __future__ import annotations

import os
from typing import IO, Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils.translation import gettext as _

from ilm.core import audit, crypto
from ilm.core.uploads import EXTENSIONS, clean_file_name, inspect, read_upload
from ilm.network.models import Organisation
from ilm.plans.models import Baseline, PolicyDocument
from ilm.plans.permissions import PLAN_BUSINESS_KINDS, may_edit_business
from ilm.plans.selectors import policy_document_list

MAX_DOCUMENTS = 50


def document_purpose(sha256: str) -> str:
    return f"plans.policy_document.{sha256}"


def policy_document_add(*, actor: Any, organisation: Organisation, upload: Any, title: str) -> PolicyDocument:
    """Add a policy file to the business's baseline (made if it has none yet). The bytes are checked before
    anything is written; a refusal is a ValidationError and saves nothing."""
    if organisation.kind not in PLAN_BUSINESS_KINDS:
        raise ValidationError(_("Baselines are for suppliers, agencies and buyers."))
    if not may_edit_business(actor, organisation):
        raise PermissionDenied(_("Your role does not allow this."))
    title = " ".join((title or "").split())
    if not title:
        raise ValidationError({"title": _("Give the document a title, for example “Employer-pays policy”.")})
    if len(title) > 200:
        raise ValidationError({"title": _("Keep the title under 200 characters.")})
    name = clean_file_name(getattr(upload, "name", "") or "")
    checked = inspect(read_upload(upload), name)
    with transaction.atomic():
        baseline, _created = Baseline.objects.get_or_create(organisation=organisation)
        baseline = Baseline.objects.select_for_update().get(pk=baseline.pk)
        if baseline.documents.count() >= MAX_DOCUMENTS:
            raise ValidationError(
                _("A baseline holds at most %(max)s documents: remove an old one first.") % {"max": MAX_DOCUMENTS}
            )
        document = PolicyDocument(
            baseline=baseline,
            title=title,
            original_name=name,
            content_type=checked.content_type,
            size=len(checked.content),
            sha256=checked.sha256,
            uploaded_by=actor,
        )
        sealed = crypto.encrypt_bytes(checked.content, purpose=document_purpose(checked.sha256))
        document.file.save("upload", ContentFile(sealed), save=False)
        try:
            document.save()
            audit.record(
                "baseline.document_added",
                membership=actor,
                obj=document,
                target_organisation_id=organisation.pk,
                detail={"content_type": checked.content_type, "size": document.size},
            )
        except BaseException:
            document.file.delete(save=False)
            raise
    return document


def policy_document_remove(*, actor: Any, document: PolicyDocument) -> None:
    organisation = document.baseline.organisation
    if not may_edit_business(actor, organisation):
        raise PermissionDenied(_("Your role does not allow this."))
    with transaction.atomic():
        audit.record(
            "baseline.document_removed",
            membership=actor,
            obj=document,
            target_organisation_id=organisation.pk,
            detail={"title": document.title},
        )
        stored = document.file.name
        storage = document.file.storage
        document.delete()
        transaction.on_commit(lambda: storage.delete(stored) if stored else None)


def download_name(document: PolicyDocument) -> str:
    """The original name, with the extension of the type the bytes were found to be."""
    extensions = EXTENSIONS.get(document.content_type, ("",))
    stem, extension = os.path.splitext(clean_file_name(document.original_name))
    if not stem:
        stem = clean_file_name(document.title)[:80] or f"policy-{document.pk}"
    if extension.lower() not in extensions:
        extension = extensions[0]
    return stem + extension


def policy_document_open(*, actor: Any, document: PolicyDocument) -> tuple[IO[bytes], str, str]:
    """The stored file (open for reading), its type and the name to download it under. Audited."""
    if not policy_document_list(membership=actor).filter(pk=document.pk).exists():
        raise PermissionDenied(_("Your role does not allow this."))
    if not document.file.name:
        raise FileNotFoundError
    handle = crypto.open_stored_file(
        document.file.storage, document.file.name, purpose=document_purpose(document.sha256)
    )
    audit.record(
        "baseline.document_downloaded",
        membership=actor,
        obj=document,
        target_organisation_id=document.baseline.organisation_id,
    )
    return handle, document.content_type, download_name(document)


__all__ = ["download_name", "policy_document_add", "policy_document_open", "policy_document_remove"]
