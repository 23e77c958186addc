"""The local node: clear errors instead of tracebacks."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest

from search import node


def test_missing_distribution_is_explained(tmp_path, monkeypatch):
    monkeypatch.setenv("ZS_CACHE_DIR", str(tmp_path / "cache"))
    cfg = node.NodeConfig(home=tmp_path / "home", port=9299, version="0.0.0-gibt-es-nicht",
                          cache_dir=tmp_path / "cache")
    with pytest.raises(node.NodeError) as refused:
        node.ensure_distribution(cfg, progress=lambda _: None)
    message = str(refused.value)
    assert "ELASTICSEARCH_URL" in message
    assert "0.0.0-gibt-es-nicht" in message


def test_missing_java_is_explained(monkeypatch, tmp_path):
    for name in ("ES_JAVA_HOME", "JAVA_HOME"):
        monkeypatch.delenv(name, raising=False)
    with pytest.raises(node.NodeError) as refused:  # no Java 999 exists
        node.find_java(min_major=999)
    message = str(refused.value)
    assert "Java" in message
    assert "ELASTICSEARCH_URL" in message


def test_root_with_a_private_checkout_gets_a_node_home_the_node_user_can_reach(tmp_path,
                                                                                monkeypatch):
    """`make run` as root in /root or a `mktemp -d` directory (issue 15): the node user cannot
    traverse there, so its home moves to /var/lib/zukunftsstadt, one per checkout."""
    private = tmp_path / "privat"
    private.mkdir(mode=0o700)
    home = private / "checkout" / "instance" / "search-node"
    monkeypatch.setattr(node.os, "geteuid", lambda: 0)
    moved = node.usable_home(home)
    assert moved.parent == node.PRIVATE_HOMES and moved.name.startswith("search-node-")
    assert node.usable_home(home) == moved  # the same checkout, the same home
    assert node.usable_home(private / "other" / "search-node") != moved
    with tempfile.TemporaryDirectory(dir="/tmp") as open_dir:  # pytest's tmp is private
        Path(open_dir).chmod(0o755)
        open_home = Path(open_dir) / "search-node"
        assert node.usable_home(open_home) == open_home
    monkeypatch.setattr(node.os, "geteuid", lambda: 1000)  # not root: the home stays
    assert node.usable_home(home) == home
