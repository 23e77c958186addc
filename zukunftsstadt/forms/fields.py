"""Fields and validators that take what people really type and answer in German."""

from __future__ import annotations

import math
import re
import unicodedata
from datetime import date, datetime
from decimal import Decimal
from typing import Any
from urllib.parse import urlsplit

from flask_wtf import FlaskForm
from wtforms import (
    DateField,
    Field,
    SelectChoice,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import StopValidation, ValidationError
from wtforms.widgets import TextInput

from .. import german_formats
from ..inputs import CONTROL, invisible_problem, strip_invisible

_LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?"
_EMAIL = re.compile(rf"^[^@\s]+@{_LABEL}(?:\.{_LABEL})+$")
EARLIEST = date(1949, 1, 1)
LATEST = date(2100, 12, 31)


class GermanForm(FlaskForm):
    """FlaskForm with WTForms' built-in German messages (choices, CSRF, numbers)."""

    class Meta:
        locales = ("de_DE", "de")


def options(pairs: Any) -> list[SelectChoice]:
    """Choices for select fields from (value, label) pairs."""
    return [SelectChoice(value, label) for value, label in pairs]


def _refusal(count: int) -> str:
    """WTForms joins several refused values as "98', '99"; name one, count several."""
    if count == 1:
        return "„%(value)s“ steht nicht zur Auswahl. Bitte wählen Sie Einträge aus der Liste."
    return (f"{count} der gewählten Einträge stehen nicht zur Auswahl. Bitte wählen Sie "
            "Einträge aus der Liste.")


def choice_list(label: str, coerce: Any = int) -> SelectMultipleField:
    """A multiple choice whose refusals are German (WTForms' own translation is missing)."""
    return SelectMultipleField(label, coerce=coerce, invalid_choice_message=_refusal,
                               invalid_value_message="Bitte wählen Sie Einträge aus der Liste.")


def normalise(value: Any) -> Any:
    """Compose umlauts (NFC) and trim; leaves non-strings alone."""
    if isinstance(value, str):
        return unicodedata.normalize("NFC", value).strip()
    return value


class VisibleText:
    """Refuses invisible format characters (bidi overrides, zero-width characters) after the
    field's own validators, so every text field of every form and of the API does."""

    data: Any
    errors: Any

    def post_validate(self, form: Any, validation_stopped: bool) -> None:
        if not validation_stopped and not self.errors and isinstance(self.data, str):
            problem = invisible_problem(self.data)
            if problem:
                self.errors.append(problem)


class TextField(VisibleText, StringField):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("filters", []).append(normalise)
        super().__init__(*args, **kwargs)


class LongTextField(VisibleText, TextAreaField):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("filters", []).append(normalise)
        super().__init__(*args, **kwargs)


def required(form: Any, field: Field) -> None:
    """Required, where spaces and zero-width characters alone do not count."""
    value = field.data
    if value is None or (isinstance(value, str) and not strip_invisible(value).strip()):
        field.errors[:] = []
        raise StopValidation("Bitte füllen Sie dieses Feld aus.")


def optional(form: Any, field: Field) -> None:
    if field.raw_data is None or not "".join(str(v) for v in field.raw_data).strip():
        field.errors[:] = []
        field.data = None
        raise StopValidation


def max_length(limit: int):
    def check(form: Any, field: Field) -> None:
        if isinstance(field.data, str) and len(field.data) > limit:
            raise ValidationError(
                f"Höchstens {limit:,} Zeichen erlaubt (eingegeben: {len(field.data):,}).".replace(
                    ",", ".")
            )
    check.limit = limit  # type: ignore[attr-defined]  # read by `kind_fields`
    return check


def plain_text(form: Any, field: Field) -> None:
    """No control characters (NUL, escape sequences, lone surrogates) in stored text."""
    if isinstance(field.data, str) and CONTROL.search(field.data):
        raise StopValidation(  # nothing else may look at such text (PostgreSQL refuses NUL)
            "Der Text enthält unzulässige Steuerzeichen. Bitte entfernen Sie sie.")


def web_address(form: Any, field: Field) -> None:
    if not field.data:
        return
    parts = urlsplit(field.data)
    host = (parts.hostname or "").lower()
    if (parts.scheme not in {"http", "https"} or "." not in host or host.endswith(".")
            or host in {"localhost"} or re.fullmatch(r"[\d.]+", host)):
        raise ValidationError(
            "Bitte geben Sie eine öffentliche Web-Adresse an, die mit http:// oder https:// "
            "beginnt, z. B. https://www.beispiel.de/programm."
        )


def email_address(form: Any, field: Field) -> None:
    if field.data and (not _EMAIL.match(field.data) or ".." in field.data):
        raise ValidationError(
            "Bitte geben Sie eine gültige E-Mail-Adresse an, z. B. name@beispiel.de.")


class AmountField(StringField):
    """Euro amounts in German or plain notation; no NaN, Infinity, exponent or minus."""

    def process_formdata(self, valuelist: list[str]) -> None:
        if not valuelist or not valuelist[0].strip():
            self.data = None
            return
        try:
            self.data = german_formats.parse_amount(valuelist[0])
        except ValueError as exc:
            self.data = None
            raise ValueError(str(exc)) from None

    def _value(self) -> str:
        if self.raw_data:
            return self.raw_data[0]
        if isinstance(self.data, Decimal) and math.isfinite(self.data):
            return german_formats.amount(self.data)
        return ""


class GermanDateField(DateField):
    """Dates as TT.MM.JJJJ (ISO dates are read too: the API sends them), between 1949 and
    2100; shown as TT.MM.JJJJ in a text field (the browser's date input shows its own
    locale's order, often MM/DD/YYYY)."""

    widget = TextInput()

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("format", ["%Y-%m-%d", "%d.%m.%Y"])
        super().__init__(*args, **kwargs)

    def process_formdata(self, valuelist: list[str]) -> None:
        if not valuelist or not valuelist[0].strip():
            self.data = None
            return
        text = valuelist[0].strip()
        for fmt in self.format:
            try:
                self.data = datetime.strptime(text, fmt).date()
                break
            except ValueError:
                continue
        else:
            self.data = None
            raise ValueError("Bitte geben Sie ein gültiges Datum an (TT.MM.JJJJ).")
        if not EARLIEST <= self.data <= LATEST:
            self.data = None
            raise ValueError("Das Datum muss zwischen 1949 und 2100 liegen.")

    def _value(self) -> str:
        if self.raw_data:
            return self.raw_data[0]
        return german_formats.day(self.data) if self.data else ""


def end_not_before_start(form: Any) -> bool:
    start, end = form.start_date.data, form.end_date.data
    if start and end and end < start:
        form.end_date.errors.append("Das Ende darf nicht vor dem Beginn liegen.")
        return False
    return True
