"""Blueprints: main (start page, health), catalogue (lists, details), search."""
