"""`make quality`: search, coverage and overlap metrics on both evaluation sets.

Prints each set's metrics against the issue's targets. The development set is the one the
weights were tuned on; the held-out set was never tuned on (tests/test_quality.py fails when
one of its metrics drops below target). The search node must run (`make node-start`).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.quality import SETS, drop, evaluate, load_set, make_app


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("sets", nargs="*", choices=[*SETS, []], default=[])
    args = parser.parse_args()
    for name in args.sets or list(SETS):
        app = make_app(name)
        try:
            report = evaluate(app, load_set(SETS[name]), name)
        finally:
            drop(app)
        tuned = "abgestimmt auf diesem Satz" if name == "development" else "nie abgestimmt"
        print("\n".join(report.lines()).replace(f"== {name}", f"== {name} ({tuned})"),
              flush=True)


if __name__ == "__main__":
    main()
