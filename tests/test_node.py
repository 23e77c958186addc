"""The local node: clear errors instead of tracebacks."""

from __future__ import annotations

from search import node


def test_missing_distribution_is_explained(tmp_path, monkeypatch):
    monkeypatch.setenv("ZS_CACHE_DIR", str(tmp_path / "cache"))
    cfg = node.NodeConfig(home=tmp_path / "home", port=9299, version="0.0.0-gibt-es-nicht",
                          cache_dir=tmp_path / "cache")
    try:
        node.ensure_distribution(cfg, progress=lambda _: None)
    except node.NodeError as exc:
        message = str(exc)
    else:
        raise AssertionError("a missing distribution must raise NodeError")
    assert "ELASTICSEARCH_URL" in message
    assert "0.0.0-gibt-es-nicht" in message


def test_missing_java_is_explained(monkeypatch, tmp_path):
    for name in ("ES_JAVA_HOME", "JAVA_HOME"):
        monkeypatch.delenv(name, raising=False)
    try:
        node.find_java(min_major=999)
    except node.NodeError as exc:
        message = str(exc)
    else:
        raise AssertionError("no Java 999 exists; find_java must raise NodeError")
    assert "Java" in message
    assert "ELASTICSEARCH_URL" in message
