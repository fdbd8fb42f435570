"""Estimate a notebook's self-study time by the course's rule (notebook 00, section 2.1).

The rule: text at 100 words a minute, code at 15 lines a minute, a minute per figure, and 8
minutes per exercise (5 per warm-up in notebook 00). Parts headed *Going deeper (optional)*
are counted apart, as are the exercises. Run it on the executed notebooks::

    python tools/study_time.py notebooks/*.ipynb

and state the rounded result in the notebook's first cell (to the nearest 5 minutes).
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

WORDS_PER_MINUTE = 100
LINES_PER_MINUTE = 15
MINUTES_PER_FIGURE = 1
OPTIONAL = re.compile(r"\(optional\)", re.IGNORECASE)  # "Going deeper (optional): ...", "Appendix (optional)"
HEADING = re.compile(r"^(#{1,6}) ", re.MULTILINE)


def estimate(path: Path) -> dict[str, float]:
    """Minutes for the main sections, the optional parts and the exercises of one notebook."""
    cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
    minutes = {"sections": 0.0, "optional": 0.0, "exercises": 0.0}
    part, optional_level, exercises = "sections", None, 0

    def where() -> str:
        return "optional" if optional_level is not None else part

    for cell in cells:
        source = "".join(cell["source"])
        if cell["cell_type"] == "markdown":
            in_box = False
            for line in source.splitlines():
                match = HEADING.match(line)
                if match:
                    level = len(match.group(1))
                    if optional_level is not None and level <= optional_level:
                        optional_level = None
                    if level <= 2:
                        part = "exercises" if line.lower().startswith("## exercises") else "sections"
                    if OPTIONAL.search(line):
                        optional_level = level
                in_box = (in_box and line.startswith(">")) or line.startswith("> **Going deeper (optional)")
                words = len(line.split()) / WORDS_PER_MINUTE
                minutes["optional" if in_box else where()] += words
        else:
            lines = [line for line in source.splitlines() if line.strip() and not line.lstrip().startswith("#")]
            figures = sum("image/png" in output.get("data", {}) for output in cell.get("outputs", []))
            if part == "exercises":
                exercises += bool(re.search(r"\bcheck\(", source))
            else:
                minutes[where()] += len(lines) / LINES_PER_MINUTE + figures * MINUTES_PER_FIGURE
    minutes["exercises"] = exercises * (5 if path.name.startswith("00") else 8)
    return minutes


def main(paths: list[str]) -> None:
    """Print the estimate of every notebook given on the command line."""
    print(f"{'notebook':40s} {'sections':>9s} {'exercises':>9s} {'total':>6s} {'optional':>9s}")
    for name in paths:
        m = estimate(Path(name))
        total = m["sections"] + m["exercises"]
        print(f"{Path(name).stem:40s} {m['sections']:9.0f} {m['exercises']:9.0f} {total:6.0f} {m['optional']:9.0f}")


if __name__ == "__main__":
    main(sys.argv[1:])
