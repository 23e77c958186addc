"""Login, password and account forms."""

from __future__ import annotations

from wtforms import PasswordField, SelectField
from wtforms.validators import EqualTo

from ..models import ROLES
from .fields import (
    GermanForm,
    TextField,
    choice_list,
    email_address,
    max_length,
    options,
    plain_text,
    required,
)


class LoginForm(GermanForm):
    email = TextField("E-Mail-Adresse", [required, max_length(254)])
    password = PasswordField("Passwort", [required, max_length(500)])


class PasswordForm(GermanForm):
    password = PasswordField("Neues Passwort", [required, max_length(500)],
                             description="Mindestens 12 Zeichen, kein häufiges oder leicht zu "
                                         "erratendes Passwort.")
    confirm = PasswordField(
        "Neues Passwort wiederholen",
        [required, EqualTo("password", "Die Passwörter stimmen nicht überein.")],
    )


class OwnPasswordForm(PasswordForm):
    """Changing one's own password needs the current one (a left-open session is not enough)."""

    current_password = PasswordField("Bisheriges Passwort", [required, max_length(500)])


class AccountForm(PasswordForm):
    email = TextField("E-Mail-Adresse", [required, email_address, max_length(254)])
    name = TextField("Name", [required, plain_text, max_length(200)])
    role = SelectField("Rolle", choices=options(ROLES.items()))
    ressorts = choice_list("Ressorts", coerce=str)
