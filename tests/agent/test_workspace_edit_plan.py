"""The LSP command's edit: one reviewable change set, annotated per event, expressed against today's files."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from lsp_server.agent.pipeline import plan_integration
from lsp_server.agent.workspace_edit_plan import Cancelled, plan_for_editor, to_edit_plan
from lsp_server.edits import PlannedEdit, apply_edits

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "apps"


def as_planned(path: str, changes) -> list[PlannedEdit]:
    return [PlannedEdit(path, c.span, c.new_text, "", c.group) for c in changes]


@pytest.mark.parametrize("name", ["node-express", "nextjs-app-router", "django"])
def test_applying_the_editor_edit_gives_exactly_the_cli_result(name, tmp_path):
    root = tmp_path / name
    shutil.copytree(FIXTURES / name, root)
    plan = plan_integration(root)
    edit = to_edit_plan(plan)
    expected = {c.path: c.after for c in plan.edited}
    for doc in edit.documents:
        before = "" if doc.create else (root / doc.path).read_text()
        assert apply_edits(before, as_planned(doc.path, doc.changes)) == expected[doc.path]
    assert {d.path for d in edit.documents} == set(expected)


def test_one_annotation_per_event_plus_setup_each_needing_confirmation(tmp_path):
    root = tmp_path / "app"
    shutil.copytree(FIXTURES / "node-express", root)
    edit = plan_for_editor(root)
    events = {e.event_name for e in plan_integration(root).events_plan}
    assert set(edit.annotations) == events | {"posthog_setup"}
    assert all(a.needs_confirmation for a in edit.annotations.values())
    assert edit.annotations["user_logged_in"].label == "Track user_logged_in"
    created = [d for d in edit.documents if d.create]
    assert [d.path for d in created if d.path.endswith(".js")] == ["src/lib/posthog-server.js"]
    assert edit.env == [(".env", "POSTHOG_PROJECT_TOKEN", "POSTHOG_HOST")]


def test_progress_is_reported_per_stage_and_cancellation_stops_before_planning(tmp_path):
    root = tmp_path / "app"
    shutil.copytree(FIXTURES / "flask", root)
    seen: list[tuple[str, int]] = []
    plan_for_editor(root, on_stage=lambda s, p: seen.append((s, p)))
    assert seen == [("begin", 0), ("plan", 20), ("edit", 40)]
    with pytest.raises(Cancelled):
        plan_for_editor(root, cancelled=lambda: True)


def test_stage_prompts_come_from_the_guidance_source_and_a_project_override_wins(tmp_path):
    from lsp_server.agent.stages import STAGES, StageGuide

    served = {"posthog://workflows/basic-integration/begin": "# Begin (from the MCP server)\n"}
    guide = StageGuide(tmp_path, get=served.get)
    assert guide.title("begin") == "Begin (from the MCP server)"
    override = tmp_path / ".posthog" / "skills" / "workflows" / "basic-integration"
    override.mkdir(parents=True)
    (override / "plan.md").write_text("# Plan, the project's way\n")
    assert StageGuide(tmp_path).title("plan") == "Plan, the project's way"
    assert [StageGuide(tmp_path).title(s) for s in STAGES][2] == "Edit: integrate"
