"""Checks on uploaded evidence: size, and type by content as well as by name."""

import zipfile
from pathlib import PurePath

from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat

MAX_UPLOAD_BYTES = 10 * 1024 * 1024

# extension -> content type; the content must match what the extension claims.
CONTENT_TYPES = {
    ".pdf": "application/pdf",
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".gif": "image/gif",
    ".csv": "text/csv",
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ".pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    ".doc": "application/msword",
    ".xls": "application/vnd.ms-excel",
    ".ppt": "application/vnd.ms-powerpoint",
}
OOXML_FOLDERS = {".docx": "word/", ".xlsx": "xl/", ".pptx": "ppt/"}
ALLOWED = "PDF, Word, Excel, PowerPoint, CSV, PNG, JPEG or GIF"


def _content_matches(extension: str, upload) -> bool:
    upload.seek(0)
    head = upload.read(8)
    upload.seek(0)
    if extension == ".pdf":
        return head.startswith(b"%PDF-")
    if extension == ".png":
        return head.startswith(b"\x89PNG\r\n\x1a\n")
    if extension in (".jpg", ".jpeg"):
        return head.startswith(b"\xff\xd8\xff")
    if extension == ".gif":
        return head[:6] in (b"GIF87a", b"GIF89a")
    if extension in (".doc", ".xls", ".ppt"):
        return head == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
    if extension in OOXML_FOLDERS:
        try:
            with zipfile.ZipFile(upload) as archive:
                names = archive.namelist()
        except zipfile.BadZipFile:
            return False
        finally:
            upload.seek(0)
        return "[Content_Types].xml" in names and any(n.startswith(OOXML_FOLDERS[extension]) for n in names)
    if extension == ".csv":
        sample = upload.read(64 * 1024)
        upload.seek(0)
        try:
            sample.decode("utf-8-sig")
        except UnicodeDecodeError as error:
            # A multi-byte character cut at the sample's end is still text.
            if error.start < len(sample) - 3:
                return False
        return b"\x00" not in sample
    return False


def validate_upload(upload) -> str:
    """Return the content type of an acceptable upload, or raise a ValidationError saying what is wrong."""
    if upload.size > MAX_UPLOAD_BYTES:
        raise ValidationError(
            f"The file is {filesizeformat(upload.size)}; the limit is {filesizeformat(MAX_UPLOAD_BYTES)}."
        )
    if upload.size == 0:
        raise ValidationError("The file is empty.")
    extension = PurePath(upload.name).suffix.lower()
    if extension not in CONTENT_TYPES:
        raise ValidationError(f"Upload a {ALLOWED} file.")
    if not _content_matches(extension, upload):
        raise ValidationError(f"The file's content is not a {extension[1:].upper()} file, whatever its name says.")
    return CONTENT_TYPES[extension]
