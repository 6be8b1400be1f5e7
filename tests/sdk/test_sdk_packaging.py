"""The SDK must stay copyable: standard library + httpx only, relative imports inside."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

SDK_DIR = Path(__file__).resolve().parents[2] / "sdk"
ALLOWED_THIRD_PARTY = {"httpx"}


def _imports(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module.split(".")[0])
    return names


def test_sdk_imports_only_stdlib_and_httpx() -> None:
    for path in SDK_DIR.glob("*.py"):
        outside = _imports(path) - set(sys.stdlib_module_names) - ALLOWED_THIRD_PARTY - {"__future__"}
        assert not outside, f"{path.name} imports {sorted(outside)}"


def test_sdk_works_when_copied_under_another_name(tmp_path) -> None:
    copy = tmp_path / "vendor_ddt"
    copy.mkdir()
    for path in SDK_DIR.glob("*.py"):
        (copy / path.name).write_bytes(path.read_bytes())
    script = (
        "import vendor_ddt as d;"
        "print(d.sign_request(key_id='ddtk_lygexamplekeyid234567abc', secret='s', method='GET', path='/',"
        " timestamp=1718000000, nonce='n'*16)['X-DDT-Timestamp'])"
    )
    result = subprocess.run(
        [sys.executable, "-c", script], cwd=tmp_path, capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "1718000000"


def test_python_dash_m_sdk_runs_the_cli() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "sdk", "--help"],
        cwd=SDK_DIR.parent,
        capture_output=True,
        text=True,
        check=True,
    )
    assert "verify-webhook" in result.stdout
