"""Importers: read files from outside (the Förderkatalog des Bundes, ...) into the catalogue.

Every importer writes through `services.editing.stage`, so history, permissions and the search
outbox apply as for a form, and records carry `source="import"` with the file and line.
"""
