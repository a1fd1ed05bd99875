"""The README's tour runs as written, and the output it shows is what the code prints."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

README = Path(__file__).resolve().parent.parent / "README.md"
TEXT = README.read_text(encoding="utf-8")
PYTHON_BLOCKS = re.findall(r"```python\n(.*?)```", TEXT, flags=re.S)


def expected_output(block: str) -> list[str]:
    """What a block says it prints: ``print(...)  # output`` and ``# output`` lines."""
    lines = []
    for line in block.splitlines():
        inline = re.search(r"print\(.*\)\s+#\s(.*)$", line)
        if inline:
            lines.append(inline.group(1))
        elif line.startswith("# "):
            lines.append(line[2:])
    return lines


@pytest.mark.parametrize(
    "block", PYTHON_BLOCKS, ids=[f"block{i}" for i in range(len(PYTHON_BLOCKS))]
)
def test_python_blocks_run_and_print_what_they_say(block: str, tmp_path: Path) -> None:
    script = tmp_path / "tour.py"
    script.write_text(block, encoding="utf-8")
    result = subprocess.run(
        [sys.executable, str(script)], capture_output=True, text=True, timeout=60, cwd=tmp_path
    )

    assert result.returncode == 0, result.stderr
    printed = [line.rstrip() for line in result.stdout.splitlines()]
    for line in expected_output(block):
        assert line.rstrip() in printed


def test_the_routes_table_is_what_the_command_prints() -> None:
    shown = re.search(r"`hookscope routes (\S+)` prints:\n\n```\n(.*?)```", TEXT, flags=re.S)
    assert shown is not None
    target, table = shown.groups()
    result = subprocess.run(
        [str(Path(sys.executable).parent / "hookscope"), "routes", target],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=README.parent,
    )

    assert result.returncode == 0, result.stderr
    assert [line.rstrip() for line in result.stdout.splitlines()] == table.splitlines()


def test_the_readme_opens_with_the_two_commands() -> None:
    first_block = re.search(r"```sh\n(.*?)```", TEXT, flags=re.S)
    assert first_block is not None
    commands = [line.split("#")[0].strip() for line in first_block.group(1).splitlines()]
    assert commands == ["make run", "make test"]
