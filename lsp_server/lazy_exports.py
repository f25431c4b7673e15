"""Package exports that load on first use (PEP 562): the language server answers `initialize` before the
detectors and the planner are imported."""

from __future__ import annotations

from collections.abc import Callable
from importlib import import_module
from typing import Any


def lazy_exports(
    package: str, home: dict[str, str], names: list[str]
) -> tuple[Callable[[str], Any], Callable[[], list[str]]]:
    """`__getattr__` and `__dir__` for `package`, whose public `names` live in the submodules `home` maps them to."""
    namespace = import_module(package).__dict__

    def __getattr__(name: str) -> Any:
        where = home.get(name)
        if where is None:  # AttributeError lets `from package import submodule` import the submodule
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        value = getattr(import_module(f".{where}", package), name)
        namespace[name] = value  # the next lookup is a plain module attribute
        return value

    def __dir__() -> list[str]:
        return sorted({*namespace, *names})

    return __getattr__, __dir__
