"""What a spreadsheet import did (or, in a dry run, would do)."""

from __future__ import annotations

from .report import MAX_LISTED, ImportReport, Problem


class SpreadsheetReport(ImportReport):
    """The Förderkatalog report, with every problem of a rejected row listed."""

    def reject_row(self, problems: list[Problem]) -> None:
        self.rejected += 1
        self.rejections.extend(problems[: max(0, MAX_LISTED - len(self.rejections))])

    def merge(self, other: ImportReport) -> None:
        for name in ("new", "changed", "unchanged", "rejected", "warned"):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        self.rejections.extend(other.rejections[: max(0, MAX_LISTED - len(self.rejections))])
        self.warnings.extend(other.warnings[: max(0, MAX_LISTED - len(self.warnings))])

    def summary(self) -> list[str]:
        verb = "würden" if self.dry_run else "wurden"
        lines = [
            ("Probelauf (nichts gespeichert): " if self.dry_run else "Import: ")
            + f"{self.filename} ({self.layout}), {self.rows} Datenzeilen",
            f"Neu: {self.new}", f"Geändert: {self.changed}", f"Unverändert: {self.unchanged}",
            f"Abgelehnt: {self.rejected}", f"Hinweise: {self.warned}",
        ]
        if self.rows:
            lines.append(f"{self.new + self.changed} Einträge {verb} gespeichert "
                         f"({self.seconds:.1f} s).")
        return lines
