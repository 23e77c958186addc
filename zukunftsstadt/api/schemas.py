"""JSON schemas of the API's records, inputs and problem details (OpenAPI 3.0 dialect)."""

from __future__ import annotations

from typing import Any

from .. import kind_fields, kinds
from ..forms.records import FKZ
from ..kind_fields import FormField
from ..kinds import Kind
from ..models import (
    LAB_PHASES,
    ORGANISATION_KINDS,
    PROGRAMME_KINDS,
    PROGRAMME_STATUSES,
    PUBLICATION_STATUSES,
    RESULTS_STATUSES,
)

API_DESCRIPTION = (
    "Lesender und schreibender Zugriff auf den Katalog der Innovationsplattform Zukunftsstadt. "
    "Ohne Anmeldung liefert die API nur veröffentlichte Einträge, genau wie die Seiten. "
    "Fachverfahren und Skripte melden sich mit einem persönlichen API-Schlüssel an (Kopfzeile "
    "`Authorization: Bearer zs_…`, anzulegen nach der Anmeldung unter „API-Schlüssel“); der "
    "Schlüssel hat die Rolle und die Ressorts seines Kontos. Im Browser gilt die Sitzung; "
    "ändernde Anfragen brauchen dann das CSRF-Token in der Kopfzeile `X-CSRFToken`. "
    "Fehler sind Problem Details nach RFC 9457 (`application/problem+json`). Änderungen "
    "brauchen die zuletzt gelesene `version` (optimistisches Sperren): Hat jemand anderes "
    "den Eintrag inzwischen gespeichert, antwortet die API mit 409."
)
TAGS: dict[str, str] = {
    "Katalog": "Förderprogramme, Vorhaben, Reallabore, Forschungsschwerpunkte, "
               "Organisationen und Transferberichte lesen.",
    "Bearbeiten": "Einträge anlegen, ändern, im Workflow weitergeben und löschen "
                  "(Ressort-Redaktion und Koordination).",
    "Suche": "Volltextsuche mit Facetten und Vorschläge für die Autovervollständigung.",
    "Analyse": "Überschneidungen und Lücken.",
    "Stammdaten": "Ressorts, Themenfelder und Kommunen, deren Kennungen Eingaben brauchen.",
    "Dokumentation": "Diese Beschreibung als OpenAPI-Dokument.",
}

ID = {"type": "integer", "minimum": 1}
TEXT = {"type": "string"}
DATE = {"type": "string", "format": "date", "nullable": True}
STAMP = {"type": "string", "format": "date-time"}
AMOUNT = {"type": "number", "nullable": True, "minimum": 0}


def nullable(schema: dict[str, Any]) -> dict[str, Any]:
    return {**schema, "nullable": True}


def ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def obj(properties: dict[str, Any], required: list[str] | None = None) -> dict[str, Any]:
    return {"type": "object", "properties": properties,
            "required": required if required is not None else list(properties)}


COMMON = {
    "id": ID,
    "publication_status": {"type": "string", "enum": list(PUBLICATION_STATUSES)},
    "version": {"type": "integer", "minimum": 1},
    "created_at": nullable(STAMP),
    "updated_at": nullable(STAMP),
    "deleted_at": nullable(STAMP),
    "html_url": nullable(TEXT),
}
PLACE = obj({"ags": TEXT, "name": TEXT, "state": nullable(TEXT)})
TOPIC = obj({"id": ID, "key": TEXT, "name": TEXT})
PRIORITY_REF = obj({"id": ID, "title": TEXT})

OUTPUT: dict[str, dict[str, Any]] = {
    "Programme": obj({
        **COMMON, "key": TEXT, "title": TEXT, "short_title": TEXT, "ressort": nullable(TEXT),
        "ressort_id": ID, "ressort_at_funding": nullable(TEXT), "funding_body": TEXT,
        "kind": TEXT, "status": {"type": "string", "enum": list(PROGRAMME_STATUSES)},
        "confidential": {"type": "boolean"}, "budget_eur": AMOUNT, "start_date": DATE,
        "end_date": DATE, "description": TEXT, "url": nullable(TEXT)}),
    "Project": obj({
        **COMMON, "fkz": TEXT, "title": TEXT, "acronym": TEXT, "programme_id": nullable(ID),
        "ressort": nullable(TEXT), "ressort_at_funding": nullable(TEXT),
        "verbund": nullable(TEXT), "summary": TEXT, "objectives": TEXT, "results": TEXT,
        "results_status": {"type": "string", "enum": list(RESULTS_STATUSES)},
        "lessons_learned": TEXT, "transferability": TEXT,
        "lead_organisation_id": nullable(ID), "lead_organisation": nullable(TEXT),
        "executing_unit": TEXT, "municipalities": {"type": "array", "items": PLACE},
        "start_date": DATE, "end_date": DATE, "budget_eur": AMOUNT,
        "topics": {"type": "array", "items": TOPIC},
        "sdgs": {"type": "array", "items": {"type": "integer"}},
        "research_priorities": {"type": "array", "items": PRIORITY_REF},
        # only for those who may edit the project
        "contact_name": nullable(TEXT), "contact_email": nullable(TEXT),
        "contact_public": {"type": "boolean"}}),
    "RealWorldLab": obj({
        **COMMON, "key": TEXT, "name": TEXT, "ressort": nullable(TEXT),
        "ressort_id": nullable(ID), "description": TEXT, "phase": TEXT,
        "experimentation_clause": {"type": "boolean"}, "lessons_learned": TEXT,
        "municipalities": {"type": "array", "items": PLACE},
        "projects": {"type": "array", "items": ID},
        "topics": {"type": "array", "items": TOPIC},
        "research_priorities": {"type": "array", "items": PRIORITY_REF},
        "start_date": DATE, "end_date": DATE}),
    "ResearchPriority": obj({
        **COMMON, "key": TEXT, "title": TEXT, "description": TEXT,
        "parent_id": nullable(ID)}),
    "Organisation": obj({**COMMON, "key": TEXT, "name": TEXT, "city": TEXT, "kind": TEXT}),
    "TransferReport": obj({
        **COMMON, "key": TEXT, "title": TEXT, "scope": TEXT, "scope_kind": TEXT,
        "scope_value": TEXT, "introduction": TEXT, "transferability": TEXT,
        "compiled_at": nullable(STAMP),
        "records": {"type": "array", "items": obj({
            "kind": {"type": "string", "enum": ["project", "lab"]}, "id": ID})}}),
}
for _name in ("contact_name", "contact_email", "contact_public"):
    OUTPUT["Project"]["required"].remove(_name)

# What a client may send. Values are checked by the same WTForms forms as the pages use.
SHORT = {"type": "string", "maxLength": 300}
LONG = {"type": "string", "maxLength": 20_000}
IN_DATE = {"type": "string", "format": "date", "nullable": True}
IN_AMOUNT = {"type": "number", "minimum": 0, "nullable": True, "description": "Euro"}
ID_LIST = {"type": "array", "items": ID, "maxItems": 200}
INPUT: dict[str, dict[str, Any]] = {
    "programme": {
        "title": {**SHORT, "maxLength": 500}, "short_title": {**SHORT, "maxLength": 120},
        "ressort_id": ID, "funding_body": SHORT,
        "kind": {"type": "string", "enum": PROGRAMME_KINDS},
        "status": {"type": "string", "enum": list(PROGRAMME_STATUSES)},
        "confidential": {"type": "boolean"}, "budget_eur": IN_AMOUNT,
        "start_date": IN_DATE, "end_date": IN_DATE, "description": LONG,
        "url": nullable({"type": "string", "maxLength": 500})},
    "project": {
        "fkz": {"type": "string", "maxLength": 40, "pattern": FKZ.pattern},
        "title": {**SHORT, "maxLength": 500},
        "acronym": {**SHORT, "maxLength": 120}, "programme_id": nullable(ID),
        "summary": LONG, "objectives": LONG, "results": LONG,
        "lead_organisation_id": nullable(ID), "executing_unit": SHORT,
        "municipalities": {"type": "array", "maxItems": 200,
                           "items": {"type": "string", "maxLength": 200},
                           "description": "AGS (achtstellig) oder Namen der Kommunen"},
        "start_date": IN_DATE, "end_date": IN_DATE, "budget_eur": IN_AMOUNT,
        "topics": ID_LIST, "sdgs": {"type": "array", "maxItems": 17,
                                    "items": {"type": "integer", "minimum": 1, "maximum": 17}},
        "research_priorities": ID_LIST,
        "results_status": {"type": "string", "enum": list(RESULTS_STATUSES)},
        "lessons_learned": LONG, "transferability": LONG,
        "contact_name": nullable({**SHORT, "maxLength": 200}),
        "contact_email": nullable({"type": "string", "maxLength": 254}),
        "contact_public": {"type": "boolean"}},
    "lab": {
        "name": SHORT, "ressort_id": ID, "description": LONG,
        "phase": {"type": "string", "enum": LAB_PHASES},
        "experimentation_clause": {"type": "boolean"}, "lessons_learned": LONG,
        "municipalities": {"type": "array", "maxItems": 200,
                           "items": {"type": "string", "maxLength": 200}},
        "projects": ID_LIST, "topics": ID_LIST, "research_priorities": ID_LIST,
        "start_date": IN_DATE, "end_date": IN_DATE},
    "priority": {"title": SHORT, "description": LONG, "parent_id": nullable(ID)},
    "organisation": {"name": SHORT, "city": {**SHORT, "maxLength": 200},
                     "kind": {"type": "string", "enum": ORGANISATION_KINDS}},
}
REQUIRED_ON_CREATE: dict[str, list[str]] = {
    "programme": ["title", "ressort_id"],
    "project": ["fkz", "title", "summary"],
    "lab": ["name", "description", "ressort_id"],
    "priority": ["title"],
    "organisation": ["name"],
}


# Kinds without schemas of their own: derived from their form's fields (`kind_fields`).
_OUT_TYPES: dict[str, dict[str, Any]] = {
    "text": nullable(TEXT), "long": nullable(TEXT), "choice": nullable(TEXT),
    "integer": nullable({"type": "integer"}), "amount": AMOUNT, "date": DATE,
    "bool": nullable({"type": "boolean"}), "ref": nullable(ID),
    "refs": {"type": "array", "items": ID}, "places": {"type": "array", "items": PLACE}}
_IN_TYPES: dict[str, dict[str, Any]] = {
    "integer": {"type": "integer"}, "amount": IN_AMOUNT, "date": IN_DATE,
    "bool": {"type": "boolean"}, "ref": ID, "refs": ID_LIST,
    "places": {"type": "array", "maxItems": 200, "items": {"type": "string", "maxLength": 200}}}


def _output(kind: Kind) -> dict[str, Any]:
    properties = {**COMMON, kind.key: TEXT}
    for field in kind_fields.of(kind):
        properties[field.name] = _OUT_TYPES[field.type]
        if field.type == "ref":
            properties[field.attr] = nullable(TEXT)
    return obj(properties)


def _input(field: FormField) -> dict[str, Any]:
    if field.type == "choice":  # a select always sends one of its values
        return {"type": "string", "enum": [value for value, _ in field.choices]}
    if field.type in ("text", "long"):
        default = 20_000 if field.type == "long" else 300
        schema = {"type": "string", "maxLength": field.limit or default}
    else:
        schema = _IN_TYPES[field.type]
    return schema if field.required or field.type in ("ref", "refs", "bool") else nullable(
        schema)


for _kind in kinds.ALL:
    if _kind.schema not in OUTPUT:
        OUTPUT[_kind.schema] = _output(_kind)
    if _kind.api_writable and _kind.name not in INPUT:
        INPUT[_kind.name] = {f.name: _input(f) for f in kind_fields.of(_kind)}
        # a choice of records (a Ressort) has no empty value a form could send
        REQUIRED_ON_CREATE[_kind.name] = [f.name for f in kind_fields.of(_kind)
                                          if f.required or f.type == "ref"]


def create_schema(kind: str) -> dict[str, Any]:
    return {"type": "object", "properties": INPUT[kind],
            "required": REQUIRED_ON_CREATE[kind], "additionalProperties": False}


def update_schema(kind: str) -> dict[str, Any]:
    return {"type": "object", "additionalProperties": False, "required": ["version"],
            "properties": {"version": {"type": "integer", "minimum": 1,
                                       "description": "die zuletzt gelesene Version"},
                           **INPUT[kind]}}


STATUS_CHANGE = {"type": "object", "additionalProperties": False, "required": ["target"],
                 "properties": {"target": {"type": "string",
                                           "enum": list(PUBLICATION_STATUSES)}}}


def page_of(name: str) -> dict[str, Any]:
    return obj({"items": {"type": "array", "items": ref(name)},
                "total": {"type": "integer", "minimum": 0},
                "page": {"type": "integer", "minimum": 1},
                "size": {"type": "integer", "minimum": 1},
                "pages": {"type": "integer", "minimum": 1}})


PROBLEM = {
    "type": "object", "required": ["type", "title", "status", "detail"],
    "properties": {
        "type": TEXT, "title": TEXT, "status": {"type": "integer"}, "detail": TEXT,
        "errors": {"type": "object", "description": "Feld oder Parameter → Meldungen",
                   "additionalProperties": {"type": "array", "items": {"type": "string"}}},
        "current_version": {"type": "integer"},
        "changed_by": nullable(TEXT), "changed_at": nullable(STAMP),
    },
}
PROBLEM_TEXTS = {
    400: "Ungültige Anfrage (Parameter, JSON oder CSRF-Token)",
    401: "Anmeldung oder gültiger API-Schlüssel erforderlich",
    403: "Keine Berechtigung für diese Aktion",
    404: "Nicht gefunden oder nicht sichtbar",
    409: "Versionskonflikt: der Eintrag wurde inzwischen geändert",
    413: "Anfrage größer als 2 MB",
    415: "Der Inhalt muss JSON sein",
    422: "Ungültige Eingaben; `errors` nennt die Felder",
    429: "Zu viele Anfragen; `Retry-After` nennt die Wartezeit in Sekunden",
    503: "Suchdienst nicht erreichbar",
}


def components() -> dict[str, Any]:
    problem = {"application/problem+json": {"schema": ref("Problem")}}
    responses: dict[str, Any] = {
        f"Problem{code}": {"description": text, "content": problem}
        for code, text in PROBLEM_TEXTS.items()}
    responses["Problem429"]["headers"] = {
        "Retry-After": {"schema": {"type": "integer"}, "description": "Sekunden"}}
    responses["Problem"] = {"description": "Fehler als Problem Details", "content": problem}
    return {
        "schemas": {**OUTPUT, **{f"{k}Page": page_of(k) for k in OUTPUT}, "Problem": PROBLEM},
        "responses": responses,
        "securitySchemes": {
            "bearerAuth": {"type": "http", "scheme": "bearer",
                           "description": "Persönlicher API-Schlüssel (zs_…)"},
            "sessionCookie": {"type": "apiKey", "in": "cookie", "name": "session",
                              "description": "Browser-Sitzung; ändernde Anfragen brauchen "
                                             "zusätzlich X-CSRFToken"},
        },
    }
