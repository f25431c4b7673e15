"""Env files and path confinement, as pure functions (what the MCP tools and the Integrate agent share)."""

from __future__ import annotations

import pytest

from lsp_server.mcp_server import envfiles
from lsp_server.mcp_server.sandbox import Refused, confine, is_env_file


def test_merge_replaces_in_place_appends_new_keys_and_quotes_when_needed():
    text = "# comment\nexport A=1\nB = 2\n\nC=3"
    merged = envfiles.merge(text, {"B": "two words", "A": "x", "D": 'say "hi" $HOME'})
    assert merged == '# comment\nexport A=x\nB="two words"\n\nC=3\nD="say \\"hi\\" \\$HOME"\n'
    assert envfiles.keys_in(merged) == {"A", "B", "C", "D"}
    assert envfiles.merge("", {"K": "v"}) == "K=v\n"


def test_key_names_and_values_are_checked():
    assert envfiles.check_keys(["A", "A", "B_2"]) == ["A", "B_2"]
    for bad in (["A=B"], ["1A"], ["a b"], [], ["x" * 200]):
        with pytest.raises(Refused):
            envfiles.check_keys(bad)
    for bad in ({"A": "x\ny"}, {"A": "x" * 5000}, {"A": 1}, {}):
        with pytest.raises(Refused):
            envfiles.check_values(bad)


def test_env_file_names():
    assert all(is_env_file(n) for n in (".env", ".env.local", "prod.env", "a/b/.env.production"))
    assert not any(is_env_file(n) for n in ("env.py", ".envrc", "app.js", ".gitignore", "environment.ts"))


def test_confine_refuses_everything_outside_the_root(tmp_path):
    root = tmp_path / "root"
    (root / "sub").mkdir(parents=True)
    (tmp_path / "out").mkdir()
    (root / "up").symlink_to(tmp_path / "out")
    (root / "loop").symlink_to(root / "loop")
    assert confine(root, "sub") == (root / "sub").resolve()
    assert confine(root, ".") == root.resolve()
    assert confine(root, str(root / "sub" / "new.txt")) == (root / "sub" / "new.txt").resolve()
    for bad in ("..", "../out", "sub/../../out", "/etc/passwd", "up", "up/x", "", " ", "a\x00b", "x" * 5000, "loop"):
        with pytest.raises(Refused):
            confine(root, bad)


def test_gitignore_coverage_is_detected_or_added(tmp_path):
    (tmp_path / "web").mkdir()
    env = tmp_path / "web" / ".env.local"
    assert envfiles.ensure_gitignored(tmp_path, env) == "created"
    assert (tmp_path / ".gitignore").read_text() == "/web/.env.local\n"
    assert envfiles.ensure_gitignored(tmp_path, env) == "already"
    (tmp_path / ".gitignore").write_text("node_modules")
    (tmp_path / "web" / ".gitignore").write_text(".env*\n")
    assert envfiles.ensure_gitignored(tmp_path, env) == "already"
    other = tmp_path / "api.env"
    assert envfiles.ensure_gitignored(tmp_path, other) == "added"
    assert (tmp_path / ".gitignore").read_text() == "node_modules\n/api.env\n"


def test_a_gitignore_symlinked_out_of_the_workspace_is_not_followed(tmp_path):
    root, outside = tmp_path / "root", tmp_path / "outside.txt"
    root.mkdir()
    outside.write_text("not yours\n")
    (root / ".gitignore").symlink_to(outside)
    with pytest.raises(Refused):
        envfiles.ensure_gitignored(root, root / ".env")
    assert outside.read_text() == "not yours\n"
