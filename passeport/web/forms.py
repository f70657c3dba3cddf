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
    """Show a service error next to its field when the form has it, else on top."""
    field = error.field if error.field in form.fields else None
    form.add_error(field, error.message)


__all__ = ["DsfrBaseForm", "DsfrModelForm", "add_service_error"]
