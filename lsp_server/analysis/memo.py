"""A small thread-safe LRU memo bounded by entry count and by the bytes its keys hold.

Used for results derived from source text (e.g. the functions of one top-level statement): the key holds the
text itself, so a hit can never be stale, and the bounds keep typing in many large files from growing memory.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Hashable
from typing import Generic, TypeVar

V = TypeVar("V")


class BoundedMemo(Generic[V]):
    """`get(key)` / `put(key, value, size)`: least recently used entries go first once either bound is passed."""

    def __init__(self, max_entries: int, max_bytes: int) -> None:
        self.max_entries, self.max_bytes = max_entries, max_bytes
        self._items: OrderedDict[Hashable, tuple[V, int]] = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()

    def get(self, key: Hashable) -> V | None:
        with self._lock:
            item = self._items.get(key)
            if item is None:
                return None
            self._items.move_to_end(key)
            return item[0]

    def get_many(self, keys: list[Hashable | None]) -> list[V | None]:
        """`get` for each key (None for a None key), under one lock: a document's statements at once."""
        out: list[V | None] = []
        with self._lock:
            items, touch = self._items, self._items.move_to_end
            for key in keys:
                item = items.get(key) if key is not None else None
                if item is None:
                    out.append(None)
                    continue
                touch(key)
                out.append(item[0])
        return out

    def put(self, key: Hashable, value: V, size: int) -> None:
        if size > self.max_bytes:
            return  # one huge entry would evict everything else
        with self._lock:
            old = self._items.pop(key, None)
            if old is not None:
                self._bytes -= old[1]
            self._items[key] = (value, size)
            self._bytes += size
            while len(self._items) > self.max_entries or self._bytes > self.max_bytes:
                _, (_, dropped) = self._items.popitem(last=False)
                self._bytes -= dropped

    def clear(self) -> None:
        with self._lock:
            self._items.clear()
            self._bytes = 0

    def __len__(self) -> int:
        return len(self._items)

    @property
    def size_bytes(self) -> int:
        return self._bytes
