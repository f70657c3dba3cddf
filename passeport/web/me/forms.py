"""Forms of the person's pages. Few fields, plain labels, errors said simply. The rules
live in the services (people.services.invitation_accept, paths.services.*)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from passeport.paths.enums import ObjectiveStatus
from passeport.paths.models import Objective, Path
from passeport.web.forms import DsfrBaseForm


def focus_first_error(form) -> None:
    """Put the focus on the first field in error."""
    for name in form.errors:
        if name in form.fields:
            form.fields[name].widget.attrs["autofocus"] = ""
            return


class InvitationForm(forms.Form):
    """Rendered by hand (DSFR password component): see templates/me/invitation.html."""

    password = forms.CharField(
        strip=False, widget=forms.PasswordInput,
        error_messages={"required": _("Choisissez un mot de passe.")})
    password_again = forms.CharField(
        strip=False, widget=forms.PasswordInput,
        error_messages={"required": _("Écrivez encore une fois le mot de passe.")})

    def clean(self):
        data = super().clean()
        first, again = data.get("password"), data.get("password_again")
        if first and again and first != again:
            self.add_error("password_again",
                           _("Les deux mots de passe ne sont pas pareils. Écrivez-les encore."))
        return data


class ObjectiveProposeForm(DsfrBaseForm):
    title = forms.CharField(
        label=_("Votre objectif"), max_length=200,
        help_text=_("Par exemple : passer le permis de conduire."),
        error_messages={"required": _("Écrivez votre objectif."),
                        "max_length": _("Écrivez moins long : 200 lettres au plus.")})
    description = forms.CharField(
        label=_("Vous pouvez expliquer en quelques mots"), required=False, max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"max_length": _("Écrivez moins long : 2 000 lettres au plus.")})


class ActionProposeForm(DsfrBaseForm):
    title = forms.CharField(
        label=_("Ce que vous voulez faire"), max_length=200,
        help_text=_("Par exemple : m'inscrire à l'auto-école."),
        error_messages={"required": _("Écrivez ce que vous voulez faire."),
                        "max_length": _("Écrivez moins long : 200 lettres au plus.")})
    description = forms.CharField(
        label=_("Vous pouvez expliquer en quelques mots"), required=False, max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"max_length": _("Écrivez moins long : 2 000 lettres au plus.")})
    objective = forms.ModelChoiceField(
        label=_("Pour quel objectif ?"), queryset=Objective.objects.none(), required=False,
        widget=forms.RadioSelect, empty_label=_("Aucun en particulier"),
        error_messages={"invalid_choice": _("Choisissez un objectif de la liste.")})

    def __init__(self, *args, path: Path, **kwargs):
        super().__init__(*args, **kwargs)
        objectives = path.objectives.exclude(status=ObjectiveStatus.ABANDONED)
        self.fields["objective"].queryset = objectives
        if not objectives.exists():
            del self.fields["objective"]


class MessageForm(DsfrBaseForm):
    body = forms.CharField(
        label=_("Votre message ou votre question"), max_length=2000,
        help_text=_("Votre référent le lira dans votre passeport."),
        widget=forms.Textarea(attrs={"rows": 5}),
        error_messages={"required": _("Écrivez votre message."),
                        "max_length": _("Écrivez moins long : 2 000 lettres au plus.")})
