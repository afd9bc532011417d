"""Signals our Scrapy components send one another (Scrapy's way; no attributes read back).

- ``store_opened(store)``: the store pipeline opened the store (in ``open_spider``); the spider
  reads known entries, validators and snapshots from it.
- ``source_recorded(source_id, stats)``: one source's result is in the store; ``stats`` holds its
  outcome (new / changed / ... / ok / error). The application builds its run summary from these.
- ``sources_unfinished()``: the pipeline is about to close the store; a receiver returns the
  :class:`~crawlers.sources.SourceDone` records of sources that never finished, to be recorded.
"""

store_opened = object()
source_recorded = object()
sources_unfinished = object()
