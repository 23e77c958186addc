"""WSGI entry point: `flask` finds the app here, gunicorn uses `wsgi:app`."""

from zukunftsstadt import create_app

app = create_app()
