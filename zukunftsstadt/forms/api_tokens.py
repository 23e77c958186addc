"""Creating and revoking personal API tokens."""

from __future__ import annotations

from wtforms import HiddenField

from .fields import GermanForm, TextField, max_length, plain_text, required


class TokenForm(GermanForm):
    name = TextField("Bezeichnung", [required, plain_text, max_length(100)],
                     description="Wofür Sie den Schlüssel nutzen, z. B. „Abgleich Fachverfahren“.")


class RevokeForm(GermanForm):
    token_id = HiddenField()
