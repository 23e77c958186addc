"""Create/edit forms for programmes, projects, Reallabore, research priorities, organisations.

Choices are filled per request with what the user may use; `GermanForm` rejects anything else.
"""

from __future__ import annotations

import re
from typing import Any

from wtforms import BooleanField, HiddenField, SelectField
from wtforms.validators import ValidationError

from ..models import (
    LAB_PHASES,
    ORGANISATION_KINDS,
    PROGRAMME_KINDS,
    PROGRAMME_STATUSES,
    RESULTS_STATUSES,
)
from .fields import (
    AmountField,
    GermanDateField,
    GermanForm,
    LongTextField,
    TextField,
    choice_list,
    email_address,
    end_not_before_start,
    max_length,
    optional,
    options,
    plain_text,
    required,
    web_address,
)

FKZ = re.compile(r"^[0-9A-Z][0-9A-Z./-]{3,39}$")
SHORT = [plain_text, max_length(300)]
LONG = [plain_text, max_length(20_000)]


def _text(label: str, *, must: bool = False, limit: int = 300, **kw: Any) -> TextField:
    return TextField(label, [required if must else optional, plain_text, max_length(limit)], **kw)


def _long(label: str, *, must: bool = False, **kw: Any) -> LongTextField:
    return LongTextField(label, [required if must else optional, *LONG], **kw)


class RecordForm(GermanForm):
    """Every record form carries the version it was loaded with (optimistic locking)."""

    version = HiddenField()

    def validate_municipalities(self, field: Any) -> None:
        from ..services.editing import InputError, resolve_municipalities

        try:
            resolve_municipalities(field.data)
        except InputError as exc:
            raise ValidationError(str(exc)) from exc

    def validate(self, extra_validators: Any = None) -> bool:
        ok = super().validate(extra_validators)
        if hasattr(self, "start_date") and hasattr(self, "end_date"):
            ok = end_not_before_start(self) and ok
        return ok


class ProgrammeForm(RecordForm):
    title = _text("Titel", must=True, limit=500)
    short_title = _text("Kurztitel", limit=120)
    ressort_id = SelectField("Ressort", coerce=int, validate_choice=True)
    funding_body = _text("Projektträger")
    kind = SelectField("Art", choices=options((k, k) for k in PROGRAMME_KINDS))
    status = SelectField("Status", choices=options(PROGRAMME_STATUSES.items()))
    confidential = BooleanField("Vertraulich (nur für das eigene Ressort und die Koordination)")
    budget_eur = AmountField("Budget in Euro", [optional])
    start_date = GermanDateField("Beginn", [optional])
    end_date = GermanDateField("Ende", [optional])
    description = _long("Beschreibung")
    url = TextField("Web-Adresse", [optional, web_address, max_length(500)])


def _municipalities() -> Any:
    """The Kommunen field; each form declares its own, so fields keep the order they are
    written in (WTForms orders by creation)."""
    return _text("Kommunen", limit=2000,
                 description="Name oder achtstelliger Gemeindeschlüssel (AGS), mehrere durch "
                             "Semikolon getrennt, z. B. Leipzig; 14612000")


class ProjectForm(RecordForm):
    fkz = TextField("Förderkennzeichen (FKZ)", [required, max_length(40)],
                    filters=[lambda v: v.upper().replace(" ", "") if isinstance(v, str) else v])
    title = _text("Titel", must=True, limit=500)
    acronym = _text("Akronym", limit=120)
    programme_id = SelectField("Förderprogramm", coerce=int)
    summary = _long("Kurzbeschreibung", must=True)
    objectives = _long("Ziele")
    results = _long("Ergebnisse")
    lead_organisation_id = SelectField("Zuwendungsempfänger", coerce=int)
    executing_unit = _text("Ausführende Stelle")
    municipalities = _municipalities()
    start_date = GermanDateField("Beginn", [optional])
    end_date = GermanDateField("Ende", [optional])
    budget_eur = AmountField("Fördersumme in Euro", [optional],
                             description="z. B. 250.000,00")
    topics = choice_list("Themenfelder")
    sdgs = choice_list("Nachhaltigkeitsziele (SDG)")
    research_priorities = choice_list("Forschungsschwerpunkte")
    results_status = SelectField("Stand der Ergebnisse", default="none",
                                 choices=options(RESULTS_STATUSES.items()))
    lessons_learned = _long("Erfahrungen (Lessons Learned)")
    transferability = _long("Übertragbarkeit",
                            description="Bedingungen, Kosten, rechtliche Aspekte.")
    contact_name = _text("Ansprechperson", limit=200)
    contact_email = TextField("E-Mail der Ansprechperson",
                              [optional, email_address, max_length(254)])
    contact_public = BooleanField("Ansprechperson darf in Transferberichten genannt werden")

    def validate_fkz(self, field: Any) -> None:
        if field.data and not FKZ.match(field.data):
            raise ValidationError(
                "Das Förderkennzeichen hat ein ungültiges Format: erlaubt sind Ziffern, "
                "Großbuchstaben, Punkt, Schrägstrich und Bindestrich, z. B. 03SF0712A.")


class LabForm(RecordForm):
    name = _text("Name", must=True)
    ressort_id = SelectField("Zuständiges Ressort", coerce=int)
    description = _long("Beschreibung", must=True)
    phase = SelectField("Phase", choices=options((p, p) for p in LAB_PHASES))
    experimentation_clause = BooleanField("Experimentierklausel genutzt")
    lessons_learned = _long("Erfahrungen (Lessons Learned)")
    municipalities = _municipalities()
    projects = choice_list("Verknüpfte Vorhaben")
    topics = choice_list("Themenfelder")
    research_priorities = choice_list("Forschungsschwerpunkte")
    start_date = GermanDateField("Beginn", [optional])
    end_date = GermanDateField("Ende", [optional])


class PriorityForm(RecordForm):
    title = _text("Titel", must=True)
    description = _long("Beschreibung")
    parent_id = SelectField("Übergeordneter Schwerpunkt", coerce=int)


class OrganisationForm(RecordForm):
    name = _text("Name", must=True)
    city = _text("Ort", limit=200)
    kind = SelectField("Art", choices=options((k, k) for k in ORGANISATION_KINDS))
