"""Client construction, kept in one place so timeouts and retries are the same everywhere."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from elasticsearch import ConnectionTimeout, Elasticsearch

T = TypeVar("T")


def make_client(url: str, timeout: float = 2.5) -> Elasticsearch:
    """A client that fails fast: a slow or stopped node must never hold up a web request.

    `url` may name several nodes of a cluster, separated by commas: a refused connection then
    goes to the next node (a timeout is not retried: the node is busy, not away)."""
    hosts = [part.strip() for part in url.split(",") if part.strip()]
    return Elasticsearch(hosts, request_timeout=timeout, max_retries=len(hosts) - 1,
                         retry_on_timeout=False)


def once_more_on_timeout(call: Callable[[], T]) -> tuple[T, bool]:
    """`call()`, asked once more when it timed out: a node busy with a rebuild is slow, not
    away (a refused connection is not retried). Returns the answer and whether it came from
    the second try, so that a page can say it was slow. Give each try half the time budget."""
    try:
        return call(), False
    except ConnectionTimeout:
        return call(), True


def server_info(client: Elasticsearch) -> dict[str, Any]:
    """Server version and cluster status.

    Uses the nodes API because the minimal distribution used locally has no `GET /`.
    """
    nodes = client.nodes.info(node_id="_all", metric="_none")["nodes"]
    versions = sorted({n["version"] for n in nodes.values()})
    flavors = sorted({f"{n.get('build_flavor', '')} {n.get('build_type', '')}".strip()
                      for n in nodes.values()})
    health = client.cluster.health()
    return {
        "version": ", ".join(versions),
        "distribution": ", ".join(flavors),
        "nodes": len(nodes),
        "cluster_status": health["status"],
    }
