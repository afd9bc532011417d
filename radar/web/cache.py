"""Answers of slow aggregations (trends, rising terms), kept while the index is unchanged.

The key of an answer includes the index's stamp (the indexer's high-water mark for the backend),
so `radar index` invalidates everything; a time limit covers writers this store cannot see (a
shared Elasticsearch index fed from elsewhere).
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Any, TypeVar

T = TypeVar("T")


class AnswerCache:
    def __init__(
        self, size: int = 64, ttl: float = 300.0, clock: Callable[[], float] = time.monotonic
    ):
        self.size, self.ttl, self.clock = size, ttl, clock
        self._answers: OrderedDict[Hashable, tuple[float, Any]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: Hashable, compute: Callable[[], T]) -> T:
        now = self.clock()
        with self._lock:
            found = self._answers.get(key)
            if found is not None and now - found[0] < self.ttl:
                self._answers.move_to_end(key)
                return found[1]  # type: ignore[no-any-return]
        answer = compute()  # outside the lock: two workers may compute one key once each
        with self._lock:
            self._answers[key] = (now, answer)
            self._answers.move_to_end(key)
            while len(self._answers) > self.size:
                self._answers.popitem(last=False)
        return answer
