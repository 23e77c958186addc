"""Helpers for API tests: accounts with personal tokens, and clients that send them."""

from __future__ import annotations

from typing import Any

from flask import Flask

from zukunftsstadt.models import User
from zukunftsstadt.services import accounts, api_tokens

from .users import PASSWORD


def account(role: str, *ressorts: str, email: str | None = None) -> User:
    """An account for demo-data tests (the Ressorts must exist already)."""
    return accounts.create_user(email or f"api-{role}-{'-'.join(ressorts) or 'alle'}@example.org",
                                f"API {role}", PASSWORD, role, list(ressorts))


def token_for(user: User, name: str = "Test") -> str:
    _, plain = api_tokens.create(user, name)
    return plain


class TokenClient:
    """Requests with `Authorization: Bearer <token>` against the app."""

    def __init__(self, app: Flask, token: str | None) -> None:
        self.client = app.test_client()
        self.headers = {"Authorization": f"Bearer {token}"} if token else {}

    def __getattr__(self, method: str) -> Any:
        call = getattr(self.client, method)

        def send(url: str, **kwargs: Any) -> Any:
            kwargs["headers"] = {**self.headers, **kwargs.get("headers", {})}
            return call(url, **kwargs)

        return send
