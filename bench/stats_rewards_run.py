"""Time a reward run: validate a synthetic snapshot, hash it, compute, export XLSX.

    .venv/bin/python bench/stats_rewards_run.py [enterprises] [--xlsx[=all|paid|none]]

Target (issue "Reward runs"): 20,000 enterprises in under 10 s on a 2-core machine.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from services.stats.rewards.engine import compute  # noqa: E402
from services.stats.rewards.export_xlsx import run_xlsx_bytes  # noqa: E402
from services.stats.rewards.inputs import Snapshot  # noqa: E402
from services.stats.rewards.lifecycle import create_run  # noqa: E402
from services.stats.rewards.policy import EXAMPLE_POLICY_PATH, load_policy  # noqa: E402
from services.stats.rewards.synthetic import synthetic_snapshot_data  # noqa: E402


def main() -> None:
    count = int(next((a for a in sys.argv[1:] if a.isdigit()), "20000"))
    policy = load_policy(EXAMPLE_POLICY_PATH)
    data = synthetic_snapshot_data(count)
    t0 = time.perf_counter()
    snapshot = Snapshot.model_validate(data)
    t1 = time.perf_counter()
    result = compute(policy, snapshot)  # includes the snapshot's SHA-256
    t2 = time.perf_counter()
    lines = sum(len(s.lines) for s in result.subjects)
    print(
        f"{count} enterprises: validate {t1 - t0:.2f} s, compute {t2 - t1:.2f} s, "
        f"run total {t2 - t0:.2f} s; {lines} explanation lines; paid {result.total} of {result.budget.total}"
    )
    scope = next((a.partition("=")[2] or "all" for a in sys.argv if a.startswith("--xlsx")), None)
    if scope:
        run = create_run(result, "bench")
        size = len(run_xlsx_bytes(run, explanations=scope))  # type: ignore[arg-type]
        print(f"xlsx ({scope} explanations) {time.perf_counter() - t2:.2f} s, {size / 1e6:.1f} MB")


if __name__ == "__main__":
    main()
