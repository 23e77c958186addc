"""The check-before-funding form and the review form of an overlap pair."""

from __future__ import annotations

from wtforms import SelectField

from ..models import REVIEW_STATUSES
from .fields import (
    GermanDateField,
    GermanForm,
    LongTextField,
    TextField,
    choice_list,
    max_length,
    optional,
    options,
    plain_text,
    required,
)


class CheckForm(GermanForm):
    title = TextField("Titel des geplanten Vorhabens", [required, plain_text, max_length(500)])
    summary = LongTextField("Kurzbeschreibung", [required, plain_text, max_length(20_000)])
    objectives = LongTextField("Ziele", [optional, plain_text, max_length(20_000)])
    ressort = SelectField("Förderndes Ressort")
    topics = choice_list("Themenfelder", coerce=str)
    municipalities = TextField("Kommunen (Name oder AGS, durch Semikolon getrennt)",
                               [optional, plain_text, max_length(2000)])
    organisation = TextField("Zuwendungsempfänger", [optional, plain_text, max_length(300)])
    start_date = GermanDateField("Beginn", [optional])
    end_date = GermanDateField("Ende", [optional])


class ReviewForm(GermanForm):
    status = SelectField("Bewertung", choices=options(REVIEW_STATUSES.items()))
    comment = LongTextField("Kommentar", [optional, plain_text, max_length(5000)])
