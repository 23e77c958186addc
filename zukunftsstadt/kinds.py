"""The record kinds of the catalogue, in one registry.

Each kind has one spelling in code (`Kind.name`, as stored in search documents, the outbox,
overlap pairs and history); its URL segment, API collection, file section and German names
are attributes. The per-kind tables elsewhere (editing pages, API collections, exports, search
documents, labels, links) are keyed by these entries or derived from them, so a new kind
starts here (see docs/architecture.md).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from flask import url_for
from wtforms.fields.core import UnboundField

from .forms.records import (
    LabForm,
    OrganisationForm,
    PriorityForm,
    ProgrammeForm,
    ProjectForm,
    RecordForm,
)
from .forms.reports import ReportForm
from .models import (
    Organisation,
    Programme,
    Project,
    RealWorldLab,
    ResearchPriority,
    TransferReport,
)
from .services import documents

# The page of a record of a kind without pages of its own (`views/catalogue.record_detail`,
# /katalog/<segment>/<id>, every form field with its label); its list is `record_list`.
GENERIC_DETAIL = "catalogue.record_detail"


@dataclass(frozen=True)
class Kind:
    name: str  # the one spelling in code: "lab"
    model: type[Any]
    key: str  # the natural key column: "fkz" or "key"
    segment: str  # URL segment of the editing pages and list exports: "reallabore"
    collection: str  # API collection: /api/v1/real-world-labs
    schema: str  # OpenAPI schema name: "RealWorldLab"
    section: str  # section of the catalogue file (`flask catalogue load/dump`)
    label: str  # German, singular
    plural: str  # German, plural
    detail: str  # endpoint of its page (taking `record_id`), of its list, or GENERIC_DETAIL
    form: type[RecordForm]
    document: Callable[[Any], dict[str, Any]] | None = None  # its search document, if searched
    scanned: bool = False  # compared in the overlap check and scan
    covers_priorities: bool = False  # counted in the research-priority coverage
    api_writable: bool = True  # created and changed through the JSON API too
    editors_create: bool = False  # editors create it for their Ressorts (else the Koordination)

    @property
    def generic_pages(self) -> bool:
        """Shown by the generic list and detail pages (no templates of its own)."""
        return self.detail == GENERIC_DETAIL

    @property
    def searched(self) -> bool:
        return self.document is not None

    @cached_property
    def fields(self) -> list[str]:
        """The editable fields in the form's order: the form declares them once; pages, API
        and history use this list."""
        declared = [(value.creation_counter, name) for name in dir(self.form)
                    if isinstance(value := getattr(self.form, name), UnboundField)]
        return [name for _, name in sorted(declared) if name != "version"]


PROGRAMME = Kind("programme", Programme, "key", "programme", "programmes", "Programme",
                 "programmes", "Förderprogramm", "Förderprogramme", "catalogue.programme_detail",
                 ProgrammeForm, documents.programme_document, scanned=True, editors_create=True)
PROJECT = Kind("project", Project, "fkz", "vorhaben", "projects", "Project", "projects",
               "Vorhaben", "Vorhaben", "catalogue.project_detail", ProjectForm,
               documents.project_document, scanned=True, covers_priorities=True,
               editors_create=True)
LAB = Kind("lab", RealWorldLab, "key", "reallabore", "real-world-labs", "RealWorldLab",
           "real_world_labs", "Reallabor", "Reallabore", "catalogue.lab_detail", LabForm,
           documents.lab_document, scanned=True, covers_priorities=True, editors_create=True)
PRIORITY = Kind("priority", ResearchPriority, "key", "schwerpunkte", "research-priorities",
                "ResearchPriority", "research_priorities", "Forschungsschwerpunkt",
                "Forschungsschwerpunkte", "catalogue.priority_detail", PriorityForm,
                documents.priority_document)
ORGANISATION = Kind("organisation", Organisation, "key", "organisationen", "organisations",
                    "Organisation", "organisations", "Organisation", "Organisationen",
                    "editing.organisation_list", OrganisationForm, editors_create=True)
REPORT = Kind("report", TransferReport, "key", "transferberichte", "transfer-reports",
              "TransferReport", "transfer_reports", "Transferbericht", "Transferberichte",
              "reports.detail", ReportForm, documents.report_document,
              api_writable=False)  # compiled on its own page

ALL: tuple[Kind, ...] = (PROGRAMME, PROJECT, LAB, PRIORITY, ORGANISATION, REPORT)
BY_NAME: dict[str, Kind] = {k.name: k for k in ALL}
BY_SEGMENT: dict[str, Kind] = {k.segment: k for k in ALL}
BY_COLLECTION: dict[str, Kind] = {k.collection: k for k in ALL}
BY_MODEL: dict[type, Kind] = {k.model: k for k in ALL}
SEARCHED: tuple[Kind, ...] = tuple(k for k in ALL if k.searched)
SCANNED: tuple[Kind, ...] = tuple(k for k in ALL if k.scanned)
COVERING: tuple[Kind, ...] = tuple(k for k in ALL if k.covers_priorities)
LABELS: dict[str, str] = {k.name: k.label for k in SEARCHED}  # the search's "Art" facet


def of(record: Any) -> Kind:
    """The kind of a record (a model instance)."""
    return BY_MODEL[type(record)]


def search_document(record: Any) -> dict[str, Any]:
    """The document `search` stores for a record of a searched kind."""
    build = of(record).document
    assert build is not None, type(record)
    return documents.with_search_fields(build(record))


def doc_id(kind: str, record_id: int | str) -> str:
    """The id of a record's search document, of overlap pairs and of alerts: "lab-7"."""
    return f"{kind}-{record_id}"


def parse_doc_id(value: str) -> tuple[str, int] | None:
    """("lab", 7) for "lab-7"; None for anything that is not a document id of a kind."""
    name, _, number = value.rpartition("-")
    if name not in BY_NAME or not number.isdigit():
        return None
    return name, int(number)


def page_args(kind: Kind, record_id: int) -> tuple[str, dict[str, Any]]:
    """The endpoint and values of a record's page (organisations have their list only; the
    generic page also needs the kind's segment)."""
    if kind.name == "organisation":
        return kind.detail, {}
    if kind.detail == GENERIC_DETAIL:
        return kind.detail, {"segment": kind.segment, "record_id": record_id}
    return kind.detail, {"record_id": record_id}


def page_of(kind: Kind, record_id: int, *, external: bool = False) -> str:
    """The address of a record's page."""
    endpoint, values = page_args(kind, record_id)
    return url_for(endpoint, _external=external, **values)


def page_of_doc(doc: str) -> str | None:
    """The page of the record behind a document id such as "lab-7" (None for anything else)."""
    parsed = parse_doc_id(doc)
    return page_of(BY_NAME[parsed[0]], parsed[1]) if parsed else None
