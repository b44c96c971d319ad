"""Uploaded files: what a file is comes from its bytes, never from its name or the browser's Content-Type.

| accepted | recognised by |
|---|---|
| PDF | `%PDF-` at the start; no JavaScript, launch actions or embedded files |
| JPEG, PNG, WebP | their magic numbers, then decoded and re-encoded by Pillow (EXIF, GPS, XMP, ICC, comments dropped) |
| plain text, CSV | UTF-8, no NUL byte, no HTML or SVG markup |
| XLSX, DOCX | a ZIP whose `[Content_Types].xml` names a workbook or a document; no macros, ActiveX or OLE objects |

Everything else is refused with a message saying why (a ValidationError on `file`). The size limit is
`ILM_ATTACHMENT_MAX_BYTES` (10 MB); images are limited to `ILM_ATTACHMENT_MAX_PIXELS` (40 megapixels) before
they are decoded. Used by case files (ilm/cases/attachments.py), message media (ilm/channels/media_store.py)
and policy documents on a business's baseline (ilm/plans/documents.py); storing is theirs (encrypted at rest
with `ilm.core.crypto.encrypt_bytes`).
"""

from __future__ import annotations

import csv
import hashlib
import io
import os
import re
import unicodedata
import zipfile
from dataclasses import dataclass
from typing import IO, Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadhandler import FileUploadHandler, SkipFile
from django.http import FileResponse, HttpRequest
from django.http.response import HttpResponseBase
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

DEFAULT_MAX_BYTES = 10 * 1024 * 1024
DEFAULT_MAX_PIXELS = 40_000_000
MAX_IMAGE_SIDE = 12_000
# Pillow's own guard, process-wide: refuse (DecompressionBombError) anything over twice this before decoding.
Image.MAX_IMAGE_PIXELS = DEFAULT_MAX_PIXELS

PDF = "application/pdf"
JPEG = "image/jpeg"
PNG = "image/png"
WEBP = "image/webp"
TEXT = "text/plain"
CSV = "text/csv"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"

# The extensions each type is downloaded with (the first is used when the original name has another one).
EXTENSIONS: dict[str, tuple[str, ...]] = {
    PDF: (".pdf",),
    JPEG: (".jpg", ".jpeg"),
    PNG: (".png",),
    WEBP: (".webp",),
    TEXT: (".txt", ".text", ".log", ".md"),
    CSV: (".csv", ".txt"),
    XLSX: (".xlsx",),
    DOCX: (".docx",),
}
_TYPE_FOR_EXTENSION = {ext: kind for kind, exts in EXTENSIONS.items() for ext in exts}
_PILLOW_FORMATS = {JPEG: "JPEG", PNG: "PNG", WEBP: "WEBP"}

_PDF_ACTIVE = re.compile(rb"/(?:JavaScript|JS|Launch|EmbeddedFile|EmbeddedFiles)(?![A-Za-z0-9])")
_MARKUP = re.compile(
    rb"<\s*(?:!doctype\s+html|html|head|body|script|svg|iframe|object|embed|meta|link|style|\?xml)\b", re.IGNORECASE
)
_ZIP_MAX_ENTRIES = 10_000
_ZIP_MAX_UNCOMPRESSED = 200 * 1024 * 1024
_ZIP_DANGEROUS = re.compile(r"(?:^|/)(?:vbaproject\.bin|vbadata\.xml|activex/|[^/]*oleobject[^/]*\.bin$)")


def max_bytes() -> int:
    return int(getattr(settings, "ILM_ATTACHMENT_MAX_BYTES", DEFAULT_MAX_BYTES))


def max_pixels() -> int:
    return int(getattr(settings, "ILM_ATTACHMENT_MAX_PIXELS", DEFAULT_MAX_PIXELS))


def _refuse_file(message: str) -> ValidationError:
    return ValidationError({"file": [message]})


def too_large_message() -> str:
    return _("The file is too large: the limit is %(limit)s MB. Nothing was saved.") % {
        "limit": f"{max_bytes() / (1024 * 1024):g}"
    }


def _accepted_kinds() -> str:
    return _(
        "Upload a PDF, a photo (JPEG, PNG or WebP), a text or CSV file, or an Excel (.xlsx) or Word (.docx) document."
    )


# --- what a file is --------------------------------------------------------------------------------


@dataclass(frozen=True)
class CheckedFile:
    """An upload that passed every check: the bytes to store (images re-encoded), their type and digest."""

    content: bytes
    content_type: str
    sha256: str


def read_upload(upload: Any) -> bytes:
    """At most the size limit (and one byte more, to tell), whatever size the upload claims."""
    limit = max_bytes()
    claimed = getattr(upload, "size", None)
    if claimed is not None and claimed > limit:
        raise _refuse_file(too_large_message())
    if hasattr(upload, "seek"):
        upload.seek(0)
    data = upload.read(limit + 1)
    if len(data) > limit:
        raise _refuse_file(too_large_message())
    if not data:
        raise _refuse_file(_("The file is empty. Nothing was saved."))
    return bytes(data)


def inspect(data: bytes, name: str = "") -> CheckedFile:
    """Decide what the bytes are, refuse what is not accepted, re-encode images. `name` only shapes the
    message when a file pretends to be something it is not."""
    content_type = _sniff(data, name)
    if content_type in _PILLOW_FORMATS:
        data = _reencode_image(data, content_type)
    return CheckedFile(content=data, content_type=content_type, sha256=hashlib.sha256(data).hexdigest())


def _claimed_type(name: str) -> str | None:
    return _TYPE_FOR_EXTENSION.get(os.path.splitext(name)[1].lower())


def _not_what_it_claims(name: str) -> ValidationError:
    extension = os.path.splitext(name)[1].lower()
    if _claimed_type(name) is not None:
        return _refuse_file(
            _("The file is named %(extension)s but its contents are something else, so it was not saved. %(kinds)s")
            % {"extension": extension, "kinds": _accepted_kinds()}
        )
    return _refuse_file(
        _("This kind of file is not accepted, so it was not saved. %(kinds)s") % {"kinds": _accepted_kinds()}
    )


def _sniff(data: bytes, name: str) -> str:
    if data.startswith(b"%PDF-"):
        if _PDF_ACTIVE.search(data):
            raise _refuse_file(
                _(
                    "This PDF contains scripts, actions or embedded files, so it was not saved. Print it to a new "
                    "PDF and upload that."
                )
            )
        return PDF
    if data.startswith(b"\xff\xd8\xff"):
        return JPEG
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return WEBP
    if data.startswith(b"PK\x03\x04"):
        return _office_type(data, name)
    text = _as_text(data)
    if text is not None:
        if _MARKUP.search(data[:65536]) or _MARKUP.search(data[-4096:]):
            raise _refuse_file(
                _(
                    "Web pages and SVG images are not accepted: they can run code when opened. Save the page as a "
                    "PDF or take a screenshot instead."
                )
            )
        return CSV if _looks_like_csv(text) else TEXT
    raise _not_what_it_claims(name)


def _as_text(data: bytes) -> str | None:
    if b"\x00" in data:
        return None
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return None


def _looks_like_csv(text: str) -> bool:
    lines = [line for line in text.splitlines()[:20] if line.strip()]
    if len(lines) < 2:
        return False
    for delimiter in (",", ";", "\t"):
        try:
            widths = {len(row) for row in csv.reader(lines, delimiter=delimiter)}
        except csv.Error:
            continue
        if len(widths) == 1 and widths.pop() > 1:
            return True
    return False


def _office_type(data: bytes, name: str) -> str:
    """XLSX or DOCX, judged by the entries of the ZIP container; any other ZIP, and macros, refused."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        entries = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError):
        raise _refuse_file(_("The document could not be read: it may be damaged. Nothing was saved.")) from None
    with archive:
        if len(entries) > _ZIP_MAX_ENTRIES or sum(e.file_size for e in entries) > _ZIP_MAX_UNCOMPRESSED:
            raise _refuse_file(_("The document unpacks to far more than its size allows, so it was not saved."))
        if any(e.flag_bits & 0x1 for e in entries):
            raise _refuse_file(_("Encrypted documents are not accepted. Remove the password and upload it again."))
        names = {e.filename.replace("\\", "/").lower(): e for e in entries}
        if any(_ZIP_DANGEROUS.search(n) for n in names):
            raise _refuse_file(_macros_message())
        content_types = names.get("[content_types].xml")
        if content_types is None or content_types.file_size > 1024 * 1024:
            raise _zip_refused(name)
        try:
            manifest = archive.read(content_types).lower()
        except (zipfile.BadZipFile, OSError, ValueError, EOFError, NotImplementedError):
            raise _refuse_file(_("The document could not be read: it may be damaged. Nothing was saved.")) from None
    if b"macroenabled" in manifest or b"vbaproject" in manifest:
        raise _refuse_file(_macros_message())
    if "xl/workbook.xml" in names and b"spreadsheetml.sheet.main+xml" in manifest:
        return XLSX
    if "word/document.xml" in names and b"wordprocessingml.document.main+xml" in manifest:
        return DOCX
    raise _zip_refused(name)


def _macros_message() -> str:
    return _(
        "Documents with macros or embedded programs are not accepted. Save it as a plain .xlsx or .docx and "
        "upload that."
    )


def _zip_refused(name: str) -> ValidationError:
    if _claimed_type(name) in (XLSX, DOCX):
        return _not_what_it_claims(name)
    return _refuse_file(
        _("ZIP archives are not accepted, so the file was not saved. Upload each file on its own. %(kinds)s")
        % {"kinds": _accepted_kinds()}
    )


def _reencode_image(data: bytes, content_type: str) -> bytes:
    """Decode (within the pixel limit) and encode again from the pixels alone: no EXIF (GPS, camera, time),
    XMP, ICC profile, comments or text chunks survive. The EXIF orientation is applied first."""
    fmt = _PILLOW_FORMATS[content_type]
    corrupt = _refuse_file(_("The image could not be read: it may be damaged. Export it again and upload it."))
    try:
        with Image.open(io.BytesIO(data), formats=[fmt]) as image:
            width, height = image.size
            if width * height > max_pixels() or max(width, height) > MAX_IMAGE_SIDE:
                raise _image_too_large()
            image.load()
            upright = ImageOps.exif_transpose(image)
            if upright.mode in ("I", "I;16", "I;16B", "I;16L", "F"):  # 16-bit or float greyscale
                upright = upright.convert("I").point(lambda value: value / 256).convert("L")
            has_alpha = upright.mode in ("RGBA", "LA", "PA", "La", "RGBa") or "transparency" in upright.info
            mode = "RGBA" if has_alpha and fmt != "JPEG" else ("L" if upright.mode in ("1", "L") else "RGB")
            clean = upright.convert(mode)
            clean.info = {}
            out = io.BytesIO()
            if fmt == "PNG":
                clean.save(out, format="PNG")
            else:
                clean.save(out, format=fmt, quality=90)
            return out.getvalue()
    except ValidationError:
        raise
    except Image.DecompressionBombError:
        raise _image_too_large() from None
    except (OSError, SyntaxError, ValueError, EOFError, UnidentifiedImageError, MemoryError, ZeroDivisionError):
        raise corrupt from None


def _image_too_large() -> ValidationError:
    return _refuse_file(
        _("The image has too many pixels. Reduce it to at most %(limit)s megapixels and upload it again.")
        % {"limit": f"{max_pixels() / 1_000_000:g}"}
    )


# --- names ----------------------------------------------------------------------------------------


def clean_file_name(name: str) -> str:
    """The last path part, without control characters or quotes, at most 150 characters."""
    base = unicodedata.normalize("NFC", (name or "").replace("\\", "/").rsplit("/", 1)[-1])
    base = "".join(ch for ch in base if unicodedata.category(ch)[0] != "C" and ch not in "\"'<>:|?*")
    base = base.strip(" .")
    if len(base) > 150:
        stem, ext = os.path.splitext(base)
        base = stem[: 150 - len(ext[:16])] + ext[:16]
    return base


# --- receiving and serving ---------------------------------------------------------------------------------


class SizeLimitUploadHandler(FileUploadHandler):
    """Stops reading a file once it passes the size limit, so an oversized upload is neither kept in memory
    nor written to a temporary file; the view then says the file is too large (`request.ilm_upload_too_large`).
    Insert it first (`request.upload_handlers.insert(0, ...)`) in a view that is csrf_exempt and checks CSRF
    itself after, since reading the token reads the body."""

    def __init__(self, request: HttpRequest, limit: int) -> None:
        super().__init__(request)
        self.limit = limit
        self.received = 0

    def new_file(self, *args: Any, **kwargs: Any) -> None:
        self.received = 0
        super().new_file(*args, **kwargs)

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes:
        self.received += len(raw_data)
        if self.received > self.limit:
            self.request.ilm_upload_too_large = True  # type: ignore[union-attr]
            raise SkipFile
        return raw_data

    def file_complete(self, file_size: int) -> None:
        return None


def protect_download[R: HttpResponseBase](response: R) -> R:
    """Never let a browser sniff, render or script a download (nosniff, CSP sandbox)."""
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "sandbox"
    return response


def protected_file_response(handle: IO[bytes], content_type: str, name: str) -> FileResponse:
    """A stored file as a download that a browser never sniffs, renders or scripts."""
    return protect_download(FileResponse(handle, as_attachment=True, filename=name, content_type=content_type))
