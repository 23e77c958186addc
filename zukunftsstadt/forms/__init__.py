"""WTForms classes with German messages."""
