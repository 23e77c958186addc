"""The fields of a record kind, read from its form: the source of every generic default.

A kind's form declares its editable fields once (label, WTForms class, validators, static
choices). The API schemas and serialiser, the spreadsheet columns, the catalogue file section
and the generic pages of a kind without hand-written definitions are derived from this list
(see docs/architecture.md, "Adding a record kind").
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from functools import cache
from typing import Any

from sqlalchemy import inspect
from wtforms import (
    BooleanField,
    DateField,
    DecimalField,
    FloatField,
    IntegerField,
    SelectField,
    SelectMultipleField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired

from . import german_formats, kinds, permissions
from .forms import fields as form_fields
from .kinds import Kind
from .models import SDG, Municipality, Ressort

# How a record names another: the natural key of reference data (records: their kind's key).
NATURAL_KEYS: dict[type, str] = {Ressort: "code", SDG: "number", Municipality: "ags"}


@dataclass(frozen=True)
class FormField:
    name: str  # the form field, and the attribute the form writes: "ressort_id"
    label: str  # German, from the form
    type: str  # text, long, integer, amount, date, bool, choice, ref, refs, places
    required: bool = False
    limit: int | None = None  # characters, for text
    choices: tuple[tuple[str, str], ...] = ()  # static (value, label) of a choice
    ref: tuple[type, str] | None = None  # (model, natural key) for ref and refs

    @property
    def attr(self) -> str:
        """The record attribute files, exports and pages name: "ressort" for "ressort_id"."""
        return self.name.removesuffix("_id") if self.type == "ref" else self.name


def _type(field_class: type, name: str) -> str:
    if issubclass(field_class, BooleanField):
        return "bool"
    if issubclass(field_class, SelectMultipleField):
        return "refs"
    if issubclass(field_class, SelectField):
        return "choice"  # "ref" when the record has a relationship of that name (below)
    if issubclass(field_class, form_fields.AmountField | DecimalField | FloatField):
        return "amount"
    if issubclass(field_class, IntegerField):
        return "integer"
    if issubclass(field_class, DateField):
        return "date"
    if name == "municipalities":
        return "places"
    return "long" if issubclass(field_class, TextAreaField) else "text"


def _target(model: type, name: str) -> tuple[type, str] | None:
    """The model a relationship (by name, or by its foreign key column) points to, with the
    natural key that names its records."""
    for rel in inspect(model).relationships:
        if rel.key == name or {c.key for c in rel.local_columns} == {name}:
            target = rel.mapper.class_
            kind = kinds.BY_MODEL.get(target)
            return target, kind.key if kind else NATURAL_KEYS.get(target, "key")
    return None


def _limit(validators: list[Any]) -> int | None:
    return next((v.limit for v in validators if hasattr(v, "limit")), None)


def _pair(choice: Any) -> tuple[str, str]:
    if isinstance(choice, tuple | list):
        return str(choice[0]), str(choice[-1])
    return str(choice.value), str(choice.label)


@cache
def of(kind: Kind) -> tuple[FormField, ...]:
    """The editable fields of `kind`, in the form's order."""
    result = []
    for name in kind.fields:
        unbound = getattr(kind.form, name)
        label = unbound.kwargs.get("label") or (unbound.args[0] if unbound.args else name)
        validators = list(unbound.kwargs.get("validators")
                          or (unbound.args[1] if len(unbound.args) > 1 else []))
        field_type = _type(unbound.field_class, name)
        ref = _target(kind.model, name) if field_type in ("choice", "refs") else None
        if field_type == "choice" and ref is not None:
            field_type = "ref"
        choices = tuple(_pair(c) for c in unbound.kwargs.get("choices") or ())
        result.append(FormField(name, str(label), field_type,
                                required=any(v is form_fields.required or isinstance(
                                    v, DataRequired | InputRequired) for v in validators),
                                limit=_limit(validators), choices=choices, ref=ref))
    return tuple(result)


def title_attr(kind: Kind) -> str:
    """The attribute a record of `kind` is called by in lists: its title or name."""
    names = {f.name for f in of(kind)}
    return next((n for n in ("title", "name") if n in names), kind.key)


def file_value(record: Any, field: FormField) -> Any:
    """A field's value as JSON in files and API answers: ISO dates, numbers, natural keys."""
    value = getattr(record, field.attr)
    if field.type == "ref":
        return getattr(value, field.ref[1]) if value is not None else None  # type: ignore[index]
    if field.type == "refs" and field.ref:
        return [getattr(item, field.ref[1]) for item in value]  # type: ignore[index]
    if field.type == "places":
        return [m.ags for m in value]
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return float(value)
    return value


def _named(item: Any) -> str:
    name = getattr(item, "name", None) or getattr(item, "title", None) or str(item)
    code = getattr(item, "code", None)
    return f"{name} ({code})" if code and code != name else str(name)


def shown(record: Any, field: FormField, reader: Any) -> str:
    """A field's value as the generic page shows it, in German ("–" for nothing); linked
    records `reader` may not see are left out, as on every page."""
    value = getattr(record, field.attr)
    if field.type == "ref":
        value = _named(value) if value is not None and permissions.can_name(
            reader, value) else None
    elif field.type in ("refs", "places"):
        value = "; ".join(_named(i) for i in value if permissions.can_name(reader, i))
    elif field.type == "choice":
        value = dict(field.choices).get(value, value)
    elif field.type == "bool":
        value = "ja" if value else "nein"
    elif isinstance(value, date):
        value = german_formats.day(value)
    elif field.type == "amount" and value is not None:
        value = german_formats.euro(value)
    elif field.type == "integer" and value is not None:
        value = german_formats.whole(value)
    return "–" if value in (None, "") else str(value)
