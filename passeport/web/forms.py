"""Form helpers shared by the pages: DSFR rendering for model forms, and a way to
show a service's error next to the field it concerns."""

from __future__ import annotations

from django import forms
from dsfr.forms import DsfrBaseForm, DsfrBoundField
from dsfr.utils import dsfr_input_class_attr

from passeport.core.errors import PasseportError


class DsfrModelForm(forms.ModelForm):
    template_name = "dsfr/form_snippet.html"
    bound_field_class = DsfrBoundField

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for visible in self.visible_fields():
            dsfr_input_class_attr(visible)


def add_service_error(form: forms.Form, error: PasseportError) -> None:
    """Show a service error next to its field when the form has it, else on top; each
    of them when the service reports several fields at once (`PasseportErrors`)."""
    for each in getattr(error, "errors", None) or [error]:
        field = each.field if each.field in form.fields else None
        if field is None or field not in form.errors:  # one message per field
            form.add_error(field, each.message)


__all__ = ["DsfrBaseForm", "DsfrModelForm", "add_service_error"]
