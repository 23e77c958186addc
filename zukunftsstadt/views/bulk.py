"""Lists whose rows each have a button and whose checked rows share one (review queue,
suggested tags)."""

from __future__ import annotations

from flask import request


def chosen(action_field: str, list_field: str) -> tuple[str, list[str]]:
    """The action and the row tokens a POST asks for: a row's own button sends
    `einzeln=action|token`, the shared buttons send `action_field` and the checked
    `list_field` values."""
    single = request.form.get("einzeln", "")
    if single:
        action, _, token = single.partition("|")
        return action, [token]
    return request.form.get(action_field, ""), request.form.getlist(list_field)
