"""The form of a spreadsheet import: the file (checked by tracker.imports, not here)."""

from django import forms
from django.template.defaultfilters import filesizeformat

from ..imports import MAX_IMPORT_BYTES
from .nhsuk import NHSUKFormMixin


class ImportForm(NHSUKFormMixin, forms.Form):
    file = forms.FileField(
        label="Return workbook",
        help_text=f"The .xlsx or CSV you downloaded and filled in, up to {filesizeformat(MAX_IMPORT_BYTES)}.",
        error_messages={"required": "Choose the return workbook to upload", "empty": "The file is empty."},
    )
