"""The Elasticsearch layer: stores, queries and analyses plain documents.

Imports nothing from the application; the app turns its models into documents.
"""
