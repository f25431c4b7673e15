"""Shared, computed once: the integrated copies of every airplane and the local ingestion sink."""

from __future__ import annotations

import pytest

from tests import sink

from .apps import EXAMPLES, Integrated, integrate


@pytest.fixture(scope="session")
def smoke_sink():
    server, url = sink.start()
    yield url
    server.shutdown()


@pytest.fixture(scope="session")
def airplane(tmp_path_factory):
    """airplane(name): the PostHog-free copy of skills/examples/<name>, integrated (built once per session)."""
    cache: dict[str, Integrated] = {}

    def get(name: str) -> Integrated:
        if name not in cache:
            cache[name] = integrate(EXAMPLES / name, tmp_path_factory.mktemp("airplane") / name, strip=True)
        return cache[name]

    return get
