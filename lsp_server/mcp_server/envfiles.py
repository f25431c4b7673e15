"""Read key names from and merge values into dotenv files, and keep them out of git. Values never leave here.

Used by the MCP tools `check_env_keys` / `set_env_values` (and later the Integrate agent).
"""

from __future__ import annotations

import os
import re
import tempfile
from collections.abc import Mapping
from pathlib import Path

import pathspec

from .sandbox import Refused, confine, is_env_file, relative

MAX_KEYS = 50
MAX_VALUE_CHARS = 4096
MAX_ENV_FILE_BYTES = 1_000_000
KEY_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,127}$")
_LINE_KEY = re.compile(r"^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_.-]*)\s*=")
_BARE_VALUE = re.compile(r"^[A-Za-z0-9_./:@+,-]*$")


def env_path(root: Path | str, file: str) -> Path:
    """The confined env file `file`: refuses non-dotenv names, outside paths and a missing parent folder."""
    path = confine(root, file)
    if not is_env_file(path):
        raise Refused("only dotenv files (.env, .env.*, *.env) are allowed")
    if path.is_dir():
        raise Refused("path is a folder")
    if not path.parent.is_dir():
        raise Refused("the folder of this file does not exist")
    if path.is_file() and path.stat().st_size > MAX_ENV_FILE_BYTES:
        raise Refused("file is too large")
    return path


def check_keys(keys: list[str]) -> list[str]:
    """The validated key names (deduplicated, order kept)."""
    if not isinstance(keys, list) or not keys:
        raise Refused("keys must be a non-empty list")
    if len(keys) > MAX_KEYS:
        raise Refused(f"at most {MAX_KEYS} keys")
    bad = [k for k in keys if not isinstance(k, str) or not KEY_RE.match(k)]
    if bad:
        raise Refused(f"{len(bad)} invalid key name(s); keys look like POSTHOG_API_KEY")
    return list(dict.fromkeys(keys))


def keys_in(text: str) -> set[str]:
    """Key names assigned in dotenv text (comments and blank lines ignored)."""
    return {m.group(1) for line in text.splitlines() if (m := _LINE_KEY.match(line))}


def _quote(value: str) -> str:
    if _BARE_VALUE.match(value):
        return value
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"').replace("$", "\\$") + '"'


def merge(text: str, values: Mapping[str, str]) -> str:
    """`text` with each key set to its value: replaced in place where assigned, appended otherwise."""
    lines = text.splitlines()
    pending = dict(values)
    for i, line in enumerate(lines):
        m = _LINE_KEY.match(line)
        if m and m.group(1) in pending:
            prefix = "export " if line.lstrip().startswith("export") else ""
            lines[i] = f"{prefix}{m.group(1)}={_quote(pending.pop(m.group(1)))}"
    lines.extend(f"{key}={_quote(value)}" for key, value in pending.items())
    return "\n".join(lines) + "\n"


def check_values(values: Mapping[str, str]) -> dict[str, str]:
    """The validated values: known key shapes, single-line strings under the size cap."""
    if not isinstance(values, Mapping) or not values:
        raise Refused("values must be a non-empty object")
    check_keys(list(values))
    for value in values.values():
        if not isinstance(value, str):
            raise Refused("values must be strings")
        if len(value) > MAX_VALUE_CHARS:
            raise Refused(f"a value is longer than {MAX_VALUE_CHARS} characters")
        if any(c in value for c in "\r\n\x00"):
            raise Refused("values must be single-line")
    return dict(values)


def write_atomically(path: Path, text: str, *, new_mode: int = 0o600) -> None:
    """Replace `path` with `text` in one rename; a new env file is readable by its owner only."""
    mode = path.stat().st_mode & 0o777 if path.exists() else new_mode
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".posthog-", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as handle:
            handle.write(text)
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def is_gitignored(root: Path | str, path: Path) -> bool:
    """True if a `.gitignore` between the root and `path` ignores it (git's rules, via pathspec)."""
    base = Path(root).resolve()
    folder = path.parent
    chain = [folder, *folder.parents]
    for directory in chain:
        if directory != base and not directory.is_relative_to(base):
            break
        ignore = directory / ".gitignore"
        if ignore.is_file():
            spec = pathspec.GitIgnoreSpec.from_lines(ignore.read_text(encoding="utf-8", errors="replace").splitlines())
            if spec.match_file(path.relative_to(directory).as_posix()):
                return True
    return False


def ensure_gitignored(root: Path | str, path: Path) -> str:
    """Make the root `.gitignore` cover `path`: returns "already", "added" or "created"."""
    if is_gitignored(root, path):
        return "already"
    ignore = confine(root, ".gitignore")  # a symlinked .gitignore must not lead outside
    existed = ignore.is_file()
    text = ignore.read_text(encoding="utf-8", errors="replace") if existed else ""
    if text and not text.endswith("\n"):
        text += "\n"
    write_atomically(ignore, text + "/" + relative(root, path) + "\n", new_mode=0o644)
    return "added" if existed else "created"
