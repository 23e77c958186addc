"""SQLAlchemy models, one module per aggregate."""

from .analysis import (
    REVIEW_STATUSES,
    Notification,
    OverlapAlert,
    OverlapPair,
    OverlapScanMark,
    OverlapScanRun,
)
from .api_token import ApiToken
from .base import PUBLICATION_STATUSES, RecordMixin
from .coverage import CoverageRun, PriorityMatch, PriorityRejection
from .geography import CITY_TYPES, Municipality, State
from .job import JobLease
from .journal import AuditEvent, SearchOutbox
from .organisation import ORGANISATION_KINDS, Organisation
from .programme import PROGRAMME_KINDS, PROGRAMME_STATUSES, Programme
from .project import RESULTS_STATUSES, Project, Verbund, verbund_stem
from .rate_limit import RateLimitCounter
from .real_world_lab import LAB_PHASES, RealWorldLab
from .report import REPORT_SCOPES, TransferReport, TransferReportItem
from .ressort import Ressort
from .taxonomy import SDG, ResearchPriority, Topic
from .user import ROLES, LoginFailure, User

__all__ = [
    "CITY_TYPES",
    "LAB_PHASES",
    "ORGANISATION_KINDS",
    "PROGRAMME_KINDS",
    "PROGRAMME_STATUSES",
    "PUBLICATION_STATUSES",
    "REPORT_SCOPES",
    "RESULTS_STATUSES",
    "REVIEW_STATUSES",
    "ROLES",
    "SDG",
    "ApiToken",
    "AuditEvent",
    "CoverageRun",
    "JobLease",
    "LoginFailure",
    "Municipality",
    "Notification",
    "Organisation",
    "OverlapAlert",
    "OverlapPair",
    "OverlapScanMark",
    "OverlapScanRun",
    "PriorityMatch",
    "PriorityRejection",
    "Programme",
    "Project",
    "RateLimitCounter",
    "RealWorldLab",
    "RecordMixin",
    "ResearchPriority",
    "Ressort",
    "SearchOutbox",
    "State",
    "Topic",
    "TransferReport",
    "TransferReportItem",
    "User",
    "Verbund",
    "verbund_stem",
]
