"""Upload forms of the importers."""

from __future__ import annotations

from flask_wtf.file import FileAllowed, FileField, FileRequired
from wtforms import SelectField

from .fields import GermanForm


class FoerderkatalogUploadForm(GermanForm):
    file = FileField(
        "CSV-Export des Förderkatalogs",
        [FileRequired("Bitte wählen Sie eine Datei aus."),
         FileAllowed(["csv", "txt"], "Bitte laden Sie eine CSV-Datei (Endung .csv) hoch.")],
        description="Trennzeichen „;“, Zeichensatz ISO-8859-15 wie im Export; höchstens 2 MB.",
    )


class SpreadsheetUploadForm(GermanForm):
    kind = SelectField("Art der Einträge", validate_choice=True)
    file = FileField(
        "Ausgefüllte Vorlage",
        [FileRequired("Bitte wählen Sie eine Datei aus."),
         FileAllowed(["xlsx", "csv", "txt"],
                     "Bitte laden Sie eine XLSX- oder CSV-Datei (Endung .xlsx oder .csv) hoch.")],
        description="XLSX oder CSV (UTF-8, Trennzeichen „;“ oder „,“); höchstens 2 MB.",
    )
