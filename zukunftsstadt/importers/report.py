"""What an import did (or, in a dry run, would do): counts, rejected rows, notes."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

# Rows listed in full; beyond this only the counts grow, so memory stays bounded.
MAX_LISTED = 5000


@dataclass(frozen=True)
class Problem:
    line: int  # physical line in the file; the header is line 1
    column: str
    reason: str  # German
    fkz: str = ""


@dataclass
class ImportReport:
    filename: str
    dry_run: bool = False
    layout: str = ""
    rows: int = 0  # data rows read (without the header)
    new: int = 0
    changed: int = 0
    unchanged: int = 0
    rejected: int = 0
    skipped: int = 0  # bookkeeping rows
    warned: int = 0
    organisations_created: int = 0
    rejections: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)
    ressort_mapping: Counter[str] = field(default_factory=Counter)  # "BMBF → BMFTR": rows
    seconds: float = 0.0

    def tally(self, creating: bool, changed: bool) -> None:
        """Count a row that was read without problems."""
        if creating:
            self.new += 1
        elif changed:
            self.changed += 1
        else:
            self.unchanged += 1

    def reject(self, problem: Problem) -> None:
        self.rejected += 1
        if len(self.rejections) < MAX_LISTED:
            self.rejections.append(problem)

    def warn(self, problem: Problem) -> None:
        self.warned += 1
        if len(self.warnings) < MAX_LISTED:
            self.warnings.append(problem)

    def merge(self, other: ImportReport) -> None:
        """Add the counts of a batch that was committed (or rolled back in a dry run)."""
        for name in ("new", "changed", "unchanged", "organisations_created"):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        for problem in other.rejections:
            self.reject(problem)
        self.rejected += other.rejected - len(other.rejections)
        for problem in other.warnings:
            self.warn(problem)
        self.warned += other.warned - len(other.warnings)
        self.ressort_mapping.update(other.ressort_mapping)

    def summary(self) -> list[str]:
        """The report in German, one line each."""
        verb = "würden" if self.dry_run else "wurden"
        lines = [
            ("Probelauf (nichts gespeichert): " if self.dry_run else "Import: ")
            + f"{self.filename} (Spaltenaufbau: {self.layout or 'unbekannt'}), "
            f"{self.rows} Datenzeilen",
            f"Neu: {self.new}",
            f"Geändert: {self.changed}",
            f"Unverändert: {self.unchanged}",
            f"Abgelehnt: {self.rejected}",
            f"Übersprungen (Buchungszeilen): {self.skipped}",
            f"Hinweise: {self.warned}",
            f"Neue Organisationen: {self.organisations_created}",
        ]
        for mapping, count in sorted(self.ressort_mapping.items()):
            lines.append(f"Ressort {mapping}: {count} Vorhaben")
        if self.rows:
            lines.append(f"{self.new + self.changed} Vorhaben {verb} gespeichert "
                         f"({self.seconds:.1f} s).")
        return lines
