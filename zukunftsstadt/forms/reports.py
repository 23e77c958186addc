"""The transfer report's own fields; its records are chosen on the builder page."""

from __future__ import annotations

from wtforms import SelectChoice, SelectField

from .fields import LongTextField, TextField, max_length, optional, plain_text, required
from .records import RecordForm


class ReportForm(RecordForm):
    title = TextField("Titel", [required, plain_text, max_length(300)])
    scope = SelectField("Geltungsbereich", description="Wofür der Bericht gilt; die "
                        "Zusammenstellung schlägt passende Vorhaben und Reallabore vor.")
    introduction = LongTextField("Ausgangslage", [optional, plain_text, max_length(20_000)])
    transferability = LongTextField(
        "Übertragbarkeit", [optional, plain_text, max_length(20_000)],
        description="Bedingungen, Kosten, rechtliche Aspekte wie Experimentierklauseln.")

    def set_scopes(self, choices: list[tuple[str, str, str]]) -> None:
        self.scope.choices = [SelectChoice(v, label, optgroup=group)
                              for v, label, group in choices]
