"""``python -m pipeline status``: what an operator checks first."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from elasticsearch import NotFoundError

from pipeline.elastic.indices import RUNS_INDEX, alias_targets, index_meta, physical_indices, rollback_targets


@dataclass
class Status:
    cluster: str
    health: str
    nodes: int
    alias: str
    live_index: str | None
    documents: int | None
    mapping_version: str | None
    indices: list[str] = field(default_factory=list)
    last_runs: list[dict[str, Any]] = field(default_factory=list)
    fingerprint: str = ""  # this process's processing fingerprint (pipeline/fingerprint.py)
    behind: int | None = None  # live documents processed under another fingerprint: the next run re-processes them
    lease: str | None = None  # who holds the alias's writer lease, if anybody

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    def render_text(self) -> str:
        lines = [
            f"cluster {self.cluster}: {self.health} ({self.nodes} node{'s' if self.nodes != 1 else ''})",
            f"alias {self.alias} -> {self.live_index or '(missing)'}"
            + (f": {self.documents} documents, mapping v{self.mapping_version}" if self.live_index else ""),
        ]
        if self.live_index and self.fingerprint:
            lines.append(f"processing fingerprint {self.fingerprint}: {self.behind} document(s) behind it "
                         "(re-processed by the next run)" if self.behind else
                         f"processing fingerprint {self.fingerprint}: every document is up to date")
        lines.append(f"writer lease: {self.lease or 'free'}")
        previous, following = rollback_targets(self.indices, self.live_index)
        if previous or following:  # exactly where `pipeline rollback` / `rollback --forward` would go
            lines.append("rollback: " + "; ".join(
                part for part in (previous and f"previous {previous} (pipeline rollback)",
                                  following and f"newer {following} (pipeline rollback --forward)") if part))
        others = [name for name in self.indices if name not in (self.live_index, previous, following)]
        if others:
            lines.append("other physical indices (pipeline rollback --to NAME): " + ", ".join(others))
        if self.last_runs:
            lines.append("last runs:")
            for r in self.last_runs:
                lines.append(
                    f"  {r.get('started_at', '?')}  {r.get('status', '?'):<7}  seen={r.get('seen', 0)} new={r.get('new', 0)} "
                    f"changed={r.get('changed', 0)} reprocessed={r.get('reprocessed', 0)} unchanged={r.get('unchanged', 0)} deleted={r.get('deleted', 0)} "
                    f"failed={r.get('failed', 0)} indexed={r.get('indexed', 0)}  {r.get('duration_seconds', 0)}s  {r.get('run_id')}")
        else:
            lines.append("last runs: none recorded")
        return "\n".join(lines)


def collect_status(es: Any, alias: str, runs: int = 5, fingerprint: str = "") -> Status:
    from pipeline.elastic.lease import current_lease

    health = es.cluster.health()
    targets = alias_targets(es, alias)
    live = targets[-1] if targets else None
    documents = es.count(index=live)["count"] if live else None
    behind = None
    if live and fingerprint:
        behind = es.count(index=live, query={"bool": {"must_not": {"term": {"processing_fingerprint": fingerprint}}}})[
            "count"]
    lease = current_lease(es, alias)
    version = index_meta(es, live).get("mapping_version") if live else None
    try:
        hits = es.search(index=RUNS_INDEX, size=runs, sort=[{"started_at": "desc"}],
                         query={"term": {"alias": alias}}, source_excludes=["failures"])["hits"]["hits"]
        last_runs = [h["_source"] for h in hits]
    except NotFoundError:
        last_runs = []
    return Status(cluster=health["cluster_name"], health=health["status"], nodes=health["number_of_nodes"],
                  alias=alias, live_index=live, documents=documents, mapping_version=version,
                  indices=physical_indices(es, alias), last_runs=last_runs, fingerprint=fingerprint, behind=behind,
                  lease=lease.describe() if lease else None)
