"""Write endpoints: create, update (optimistic locking), workflow step, soft delete.

The same permission checks, WTForms forms and services as the editing pages: JSON is turned
into form data, validated by the record's form (choices limited to what the user may use,
German messages), applied by `services.editing` and saved by `services.records`, so history,
search outbox and version checks are the same whatever the entry point.
"""

from __future__ import annotations

import math
from datetime import date
from decimal import Decimal
from typing import Any

from flask import Response, current_app, jsonify, request, url_for
from flask_login import current_user
from werkzeug.datastructures import MultiDict

from .. import kind_fields, kinds, permissions
from ..extensions import db
from ..inputs import JsonRefused
from ..json_values import stamp
from ..kinds import Kind
from ..services import editing, records
from ..views.editing import form_for_display, last_change, set_choices
from . import bp, schemas
from .catalogue import COLLECTIONS, Collection, get_visible
from .problems import problem
from .spec import MAX_ID, Operation, Param, describe

NONE_ID_FIELDS = {"programme_id", "lead_organisation_id", "parent_id"}  # 0 = none, as in forms
CREATE_DEFAULTS: dict[str, dict[str, Any]] = {  # the first choice a page's form would send
    "programme": {"kind": "Förderrichtlinie", "status": "planned"},
    "project": {"results_status": "none"},
    "lab": {"phase": "Konzeption"},
    "organisation": {"kind": "Sonstige"},
}
for _spec in kinds.ALL:  # any other kind: the first value of each fixed choice
    CREATE_DEFAULTS.setdefault(_spec.name, {f.name: f.choices[0][0]
                                            for f in kind_fields.of(_spec) if f.choices})
PY_TYPES: dict[str, tuple[type, ...]] = {
    "string": (str,), "integer": (int,), "number": (int, float), "boolean": (bool,),
    "array": (list,), "object": (dict,)}


def _amount_error(value: int | float) -> str | None:
    """JSON numbers are amounts as they are: finite, at most two decimals (cents)."""
    if isinstance(value, float) and not math.isfinite(value):
        return "Erwartet wird eine endliche Zahl."
    if Decimal(repr(value)).as_tuple().exponent < -2:  # type: ignore[operator]
        return "Höchstens zwei Nachkommastellen (Cent) erlaubt."
    return None


def _type_error(value: Any, schema: dict[str, Any]) -> str | None:
    if value is None:
        return None if schema.get("nullable") else "Dieser Wert darf nicht null sein."
    kind = schema.get("type", "string")
    wanted = PY_TYPES[kind]
    if not isinstance(value, wanted) or (kind in {"integer", "number"}
                                         and isinstance(value, bool)):
        names = {"string": "eine Zeichenkette", "integer": "eine ganze Zahl",
                 "number": "eine Zahl", "boolean": "true oder false", "array": "eine Liste"}
        return f"Erwartet wird {names.get(kind, kind)}."
    if kind == "number":
        return _amount_error(value)
    if "enum" in schema and value not in schema["enum"]:
        return "Erlaubt sind: " + ", ".join(map(str, schema["enum"])) + "."
    if kind == "array":
        if len(value) > schema.get("maxItems", 1000):
            return f"Höchstens {schema.get('maxItems')} Einträge erlaubt."
        for item in value:
            problem_text = _type_error(item, schema.get("items", {}))
            if problem_text:
                return "Listeneintrag: " + problem_text
    return None


def _read_body(schema: dict[str, Any]) -> dict[str, Any] | Response:
    data = None
    if request.is_json:
        try:
            data = current_app.json.loads(request.get_data(cache=True))
        except JsonRefused as exc:
            return problem(400, str(exc))
        except ValueError:
            return problem(400, "Der Inhalt ist kein gültiges JSON.")
    if not isinstance(data, dict):
        return problem(400, "Erwartet wird ein JSON-Objekt (Content-Type: application/json).")
    properties = schema["properties"]
    errors = {key: ["Unbekanntes Feld."] for key in data if key not in properties}
    errors.update({key: ["Dieses Feld ist erforderlich."] for key in schema.get("required", [])
                   if key not in data})
    for key, value in data.items():
        if key in properties and key not in errors:
            message = _type_error(value, properties[key])
            if message:
                errors[key] = [message]
    if errors:
        return problem(422, "Die Eingaben enthalten Fehler.", errors=errors)
    return data


def _form_value(name: str, value: Any) -> list[str]:
    """One JSON value as the strings a browser would post for the field."""
    if value is None:
        return ["0"] if name in NONE_ID_FIELDS else []
    if isinstance(value, bool):
        return ["y"] if value else []
    if name == "municipalities":
        return ["; ".join(str(v) for v in value)] if isinstance(value, list) else [str(value)]
    if isinstance(value, list):
        return [str(v) for v in value]
    if isinstance(value, date):
        return [value.isoformat()]
    if isinstance(value, float | Decimal):
        return [_amount_text(Decimal(repr(value)) if isinstance(value, float) else value)]
    return [str(value)]


def _amount_text(amount: Decimal) -> str:
    """An amount as the form reads it without doubt: a decimal comma, no thousands dots, all
    digits (the form refuses what is too large; 1e308 must reach it as such).

    A dot would be read as German thousands separator (2.125 -> 2125), so never send one."""
    return format(amount, "f").replace(".", ",")


def _current_values(spec: Kind, record: Any) -> dict[str, Any]:
    """The record's values as the form takes them; links the caller may not see are left
    out (the form does not offer them, and `editing.apply` keeps them)."""
    values = form_for_display(spec, record)
    for name in (editing.LINKS.keys() - {"sdgs"}) & values.keys():
        values[name] = [item.id for item in getattr(record, name)
                        if permissions.can_name(current_user, item)]
    if "municipalities" in values:
        values["municipalities"] = [m.ags for m in record.municipalities]
    return values


def _validated(spec: Kind, record: Any, values: dict[str, Any]) -> Any:
    formdata = MultiDict()
    for name in spec.fields:
        for item in _form_value(name, values.get(name)):
            formdata.add(name, item)
    form = spec.form(formdata=formdata, meta={"csrf": False})
    set_choices(form, record)
    if not form.validate():
        errors = {name: messages for name, messages in form.errors.items() if messages}
        return problem(422, "Die Eingaben enthalten Fehler.", errors=errors)
    return {name: form[name].data for name in spec.fields}


def _store(spec: Kind, record: Any, data: dict[str, Any], creating: bool) -> Response | None:
    try:
        editing.save_from_input(record, data, current_user, creating=creating, source="api")
    except editing.InputError as exc:
        return problem(422, "Die Eingaben enthalten Fehler.", errors={exc.field: [str(exc)]})
    return None


def _unauthenticated() -> Response:
    return problem(401, headers={"WWW-Authenticate": "Bearer"})


def _conflict(spec: Kind, collection: Collection, record_id: int) -> Response:
    db.session.rollback()
    record = db.session.get(spec.model, record_id)
    who, when = last_change(spec, record)
    return problem(409, f"Der Eintrag wurde inzwischen geändert (jetzt Version "
                        f"{record.version}). Bitte lesen Sie ihn neu und übertragen Sie Ihre "
                        "Änderungen.", current_version=record.version,
                   changed_by=who.name if who else None, changed_at=stamp(when))


def _create(collection: Collection, spec: Kind) -> Any:
    if not current_user.is_authenticated:
        return _unauthenticated()
    if not permissions.can_create(current_user, spec.name):
        return problem(403)
    body = _read_body(schemas.create_schema(spec.name))
    if isinstance(body, Response):
        return body
    record = spec.model(publication_status="draft")
    data = _validated(spec, None, {**CREATE_DEFAULTS.get(spec.name, {}), **body})
    if isinstance(data, Response):
        return data
    failed = _store(spec, record, data, creating=True)
    if failed is not None:
        return failed
    response = jsonify(collection.dump(record))
    response.status_code = 201
    response.headers["Location"] = url_for(
        f"api.{collection.path.replace('-', '_')}_detail", record_id=record.id)
    return response


def _editable(collection: Collection, record_id: int) -> Any:
    if not current_user.is_authenticated:
        return _unauthenticated()
    record = get_visible(collection, record_id)
    if record is None:
        return problem(404)
    if not permissions.can_edit(current_user, record):
        return problem(403)
    return record


def _update(collection: Collection, spec: Kind, record_id: int) -> Any:
    record = _editable(collection, record_id)
    if isinstance(record, Response):
        return record
    body = _read_body(schemas.update_schema(spec.name))
    if isinstance(body, Response):
        return body
    if body.pop("version") != record.version:
        return _conflict(spec, collection, record.id)
    data = _validated(spec, record, {**_current_values(spec, record), **body})
    if isinstance(data, Response):
        return data
    try:
        failed = _store(spec, record, data, creating=False)
    except records.Conflict:
        return _conflict(spec, collection, record_id)
    return failed or jsonify(collection.dump(record))


def _move(collection: Collection, spec: Kind, record_id: int) -> Any:
    record = _editable(collection, record_id)
    if isinstance(record, Response):
        return record
    body = _read_body(schemas.STATUS_CHANGE)
    if isinstance(body, Response):
        return body
    if not permissions.can_move(current_user, record, body["target"]):
        return problem(403, "Dieser Statuswechsel ist für Sie oder von diesem Status aus nicht "
                            "möglich.")
    try:
        editing.move(record, body["target"], current_user)
    except records.Conflict:
        return _conflict(spec, collection, record_id)
    return jsonify(collection.dump(record))


def _delete(collection: Collection, spec: Kind, record_id: int) -> Any:
    record = _editable(collection, record_id)
    if isinstance(record, Response):
        return record
    expected = request.args.get("version", "")
    if expected and not expected.isdigit():
        return problem(400, "Der Parameter „version“ muss eine ganze Zahl sein.")
    if expected and int(expected) != record.version:
        return _conflict(spec, collection, record.id)
    try:
        editing.soft_delete(record, current_user)
    except records.Conflict:
        return _conflict(spec, collection, record_id)
    return Response(status=204)


def _register(collection: Collection, spec: Kind) -> None:
    base = collection.path.replace("-", "_")
    views = {
        "create": (f"/{collection.path}", ["POST"], lambda: _create(collection, spec)),
        "update": (f"/{collection.path}/<int:record_id>", ["PATCH"],
                   lambda record_id: _update(collection, spec, record_id)),
        "delete": (f"/{collection.path}/<int:record_id>", ["DELETE"],
                   lambda record_id: _delete(collection, spec, record_id)),
        "status": (f"/{collection.path}/<int:record_id>/status", ["POST"],
                   lambda record_id: _move(collection, spec, record_id)),
    }
    for action, (rule, methods, view) in views.items():
        bp.add_url_rule(rule, endpoint=f"{base}_{action}", view_func=view, methods=methods)
    one = f"{spec.label} ({collection.label})"
    ref = schemas.ref(collection.schema)
    describe(f"api.{base}_create", Operation(
        summary=f"{one}: anlegen (als Entwurf)", tag="Bearbeiten", auth="required",
        description="Geprüft wie das Formular der Seite; nur Auswahlwerte, die Sie auf der "
                    "Seite auch wählen dürften.",
        body=schemas.create_schema(spec.name), errors=(413, 422),
        ok=(201, "Angelegt; Location nennt die Adresse", ref)))
    describe(f"api.{base}_update", Operation(
        summary=f"{one}: ändern", tag="Bearbeiten", auth="required",
        description="Nur die gesendeten Felder ändern sich. `version` muss die zuletzt "
                    "gelesene Version sein, sonst 409 mit der aktuellen Version.",
        body=schemas.update_schema(spec.name), errors=(409, 413, 422),
        ok=(200, "Gespeichert", ref)))
    describe(f"api.{base}_status", Operation(
        summary=f"{one}: Workflow-Status ändern", tag="Bearbeiten", auth="required",
        description="Entwurf → eingereicht → veröffentlicht → archiviert, mit denselben "
                    "Rechten wie auf der Seite.",
        body=schemas.STATUS_CHANGE, errors=(409, 422), ok=(200, "Neuer Status", ref)))
    describe(f"api.{base}_delete", Operation(
        summary=f"{one}: löschen (Papierkorb; die Koordination kann wiederherstellen)",
        tag="Bearbeiten", auth="required", errors=(409,),
        params=(Param("version", {"type": "integer", "minimum": 1, "maximum": MAX_ID},
                      "nur löschen, wenn dies die aktuelle Version ist"),),
        ok=(204, "Gelöscht", None)))


for _kind in kinds.ALL:
    if _kind.api_writable:
        _register(COLLECTIONS[_kind.collection], _kind)
