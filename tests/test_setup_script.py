"""`source scripts/setup.sh` must leave the user's shell as it found it (issue 15, item 4).

The script is copied into a scratch project with a fake, already-created `.venv`, and run
with JOURNEYSCOPE_SETUP_DRY=1 so nothing is installed; the real bash sources it.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

SETUP = Path(__file__).parents[1] / "scripts" / "setup.sh"

pytestmark = pytest.mark.skipif(shutil.which("bash") is None, reason="bash is not installed")


def _project(tmp_path: Path, *, with_venv: bool) -> Path:
    """A scratch checkout: scripts/setup.sh and, optionally, a fake venv to activate."""
    root = tmp_path / "project"
    (root / "scripts").mkdir(parents=True)
    shutil.copy(SETUP, root / "scripts" / "setup.sh")
    if with_venv:
        bin_dir = root / ".venv" / "bin"
        bin_dir.mkdir(parents=True)
        (bin_dir / "python").write_text("#!/bin/sh\nexit 0\n", "utf-8")
        (bin_dir / "python").chmod(0o755)
        (bin_dir / "activate").write_text(f'VIRTUAL_ENV="{root / ".venv"}"\n', "utf-8")
    return root


def _bash(script: str, cwd: Path, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["bash", "--norc", "--noprofile", "-c", script],
        cwd=cwd,
        env={"PATH": "/usr/bin:/bin", "JOURNEYSCOPE_SETUP_DRY": "1", **env},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


REPORT = 'echo "opts=$- pipefail=$(set -o | grep -c "pipefail *on") pwd=$PWD venv=${VIRTUAL_ENV:-}"'


def test_sourcing_keeps_options_and_directory(tmp_path: Path) -> None:
    root = _project(tmp_path, with_venv=True)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    before = _bash(REPORT, elsewhere)
    after = _bash(f"source {root}/scripts/setup.sh; {REPORT}", elsewhere)
    assert after.returncode == 0, after.stderr
    opts_before = before.stdout.split()[0]
    fields = dict(part.split("=", 1) for part in after.stdout.split())
    assert "opts=" + fields["opts"] == opts_before  # no `e`, no `u` added
    assert "e" not in fields["opts"]
    assert "u" not in fields["opts"]
    assert fields["pipefail"] == "0"
    assert Path(fields["pwd"]) == elsewhere
    assert fields["venv"] == str(root / ".venv")  # the venv is active in the caller's shell


def test_a_failed_setup_returns_without_closing_the_shell(tmp_path: Path) -> None:
    root = _project(tmp_path, with_venv=False)
    # no .venv and a python that cannot create one: the setup fails
    result = _bash(
        f'source {root}/scripts/setup.sh; echo "rc=$?"; {REPORT}', tmp_path, PYTHON="false"
    )
    assert "rc=1" in result.stdout
    fields = dict(part.split("=", 1) for part in result.stdout.split())
    assert "e" not in fields["opts"]
    assert fields["pipefail"] == "0"
    assert Path(fields["pwd"]) == tmp_path
    assert fields["venv"] == ""
    assert "setup failed" in result.stderr
    assert "cài đặt thất bại" in result.stderr


def test_running_it_prints_how_to_activate(tmp_path: Path) -> None:
    root = _project(tmp_path, with_venv=True)
    result = _bash(f"bash {root}/scripts/setup.sh", tmp_path)
    assert result.returncode == 0, result.stderr
    assert ". .venv/bin/activate" in result.stderr
