"""Fixtures for the MCP tests: a workspace with planted secrets, a private copy of the skills, both transports."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import pytest_asyncio
from mcp_harness import held, make_workspace

from lsp_server.skills import bundled_skills_root


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    return make_workspace(tmp_path)


@pytest.fixture
def skills_copy(tmp_path: Path) -> Path:
    """A private copy of the bundled skills the test may edit."""
    dest = tmp_path / "skills"
    shutil.copytree(bundled_skills_root(), dest)
    return dest


@pytest.fixture(params=["stdio", "http"])
def transport(request: pytest.FixtureRequest) -> str:
    return request.param


@pytest_asyncio.fixture(scope="module", loop_scope="module", params=["stdio", "http"])
async def served(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory):
    """One server per transport shared by a module's tests (server start-up dominates test time); `.root`."""
    async with held(request.param, make_workspace(tmp_path_factory.mktemp(request.param))) as conn:
        yield conn
