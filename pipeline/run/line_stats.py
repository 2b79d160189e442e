"""The learned line statistics step: adds a batch's counts to its source's statistics in Elasticsearch.

Last step of a batch (``pipeline.run.batch``). The clean step counted, for every new plain-text
document it cleaned, its short lines and line openings (``Clean.learned``, pure); once every document
of the batch has gone by, this step adds those counts to the stored statistics of the source
(``pipeline.elastic.line_stats.add_stats``: optimistic concurrency, so concurrent workers' batches
add up). Counters: ``line_stats/known`` (documents of the source the batch's snapshot held),
``line_stats/added`` (documents this batch added), ``line_stats/retries`` (writes redone after a race).
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Iterator
from typing import Any, ClassVar

from pipeline.config import IndexSizes
from pipeline.document import Document
from pipeline.stages.base import Step
from pipeline.stages.clean import Clean
from pipeline.stages.clean.repetition import SourceStats


class RecordLineStats(Step):
    """Pass every document on; after the last one, add ``clean.learned`` to the source's statistics."""

    name: ClassVar[str] = "line_stats"

    def __init__(self, es: Any, alias: str, source_id: str, clean: Clean, support: IndexSizes, *,
                 keep: list[SourceStats] | None = None, run_id: str | None = None) -> None:
        """``keep``: the counts are appended there instead of written (the chunks of one batch,
        ``pipeline.run.batch.in_chunks``, write their sum once); ``run_id``: the writing run (it keeps
        what it wrote, ``pipeline.elastic.line_stats.read_stats``)."""
        super().__init__()
        self.es, self.alias, self.source_id, self.clean, self.support = es, alias, source_id, clean, support
        self.keep, self.run_id = keep, run_id

    def run(self, docs: Iterable[Document]) -> Iterator[Document]:
        from pipeline.elastic.line_stats import add_stats

        yield from docs
        started = time.perf_counter()
        learned = self.clean.learned
        self.counters["known"] += self.clean.stats_known
        if learned.documents and self.keep is not None:
            self.keep.append(learned)
            self.counters["added"] += learned.documents
        elif learned.documents:
            self.counters["retries"] += add_stats(self.es, self.alias, self.source_id, learned, support=self.support,
                                                 run_id=self.run_id)
            self.counters["added"] += learned.documents
        self.seconds += time.perf_counter() - started
