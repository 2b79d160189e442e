"""Groups after a run that died: what it left half-done is grouped again by the next run.

A run can die anywhere: after loading some articles (loaded as their own group, not yet joined
to their copies), between a change's unlinking and its re-linking, half-way through writing a
group's fields to its members, between deleting articles and settling what is left of their
groups. Elasticsearch has no transaction over those writes, so the next run of the alias (any
source, any kind: it holds the writer lease, so no other run is live) repairs them when it
starts: every run leaves a marker in the store until its grouping work is finished
(``pipeline.elastic.dedup_groups``), and for a marker left behind, every entry written since it
and every article loaded since it is taken through the grouping again as the live index holds
it: articles gone leave their groups, the others leave their old links and join their copies
anew, and every group around them is settled (articles included, whatever they say).
"""

from __future__ import annotations

import logging
from collections import Counter
from datetime import datetime
from typing import TYPE_CHECKING

from pipeline.run.context import RunContext

if TYPE_CHECKING:
    from elasticsearch import Elasticsearch

log = logging.getLogger(__name__)

CHUNK = 200  # documents re-grouped at a time (a batch's worth)


def recover(es: Elasticsearch, ctx: RunContext) -> dict[str, int]:
    """Re-group what runs that died left behind (see the module doc); counted as ``dedup/recovered``."""
    from pipeline.elastic.dedup_groups import close_run, dead_runs, ingested_since, touched_since

    cfg = ctx.dedup
    if cfg is None:
        return {}
    dead = dead_runs(es, ctx.alias, ctx.run_id)
    if not dead:
        return {}
    # articles carry ingested_at in whole seconds: start at the second the first dead run started in
    since = min(datetime.fromisoformat(v) for v in dead.values()).replace(microsecond=0).isoformat()
    ids = set(touched_since(es, ctx.alias, since)) | set(ingested_since(es, ctx.alias, since))
    log.warning("run(s) %s died before their grouping was done: re-grouping %d document(s)",
                ", ".join(sorted(dead)), len(ids))
    counters: Counter[str] = Counter()
    ordered = sorted(ids)
    for start in range(0, len(ordered), CHUNK):
        regroup(es, ctx, ordered[start:start + CHUNK], counters)
    for run_id in dead:
        close_run(es, ctx.alias, run_id)
    counters["dedup/recovered"] += len(ids)
    return dict(counters)


def regroup(es: Elasticsearch, ctx: RunContext, ids: list[str], counters: Counter[str]) -> None:
    """``ids`` grouped again from the articles the alias holds now, and their groups settled."""
    from pipeline.elastic.dedup_groups import article_inputs, settle
    from pipeline.run.group_links import join_groups, leave_groups
    from pipeline.stages.dedup import GroupingInput, fingerprint

    cfg, alias = ctx.dedup, ctx.alias
    assert cfg is not None
    articles = article_inputs(es, alias, ids)
    gone = [i for i in ids if i not in articles]
    seeds = leave_groups(es, alias, alias, gone, cfg, counters)
    fps = []
    for doc_id, (body, language, published) in articles.items():
        try:
            fps.append(fingerprint(GroupingInput(doc_id, body, language, published), cfg))
        except Exception as exc:  # noqa: BLE001 - as in the batch: the article stays alone, counted
            counters["dedup/not-grouped"] += 1
            log.warning("%s: not grouped (%s: %s)", doc_id, type(exc).__name__, exc)
    if fps:
        seeds |= join_groups(es, alias, alias, f"{ctx.run_id}-recovery", fps, cfg, counters)
    seeds |= set(articles)
    settle(es, alias, alias, seeds - set(gone), max_size=cfg.max_group_size)
