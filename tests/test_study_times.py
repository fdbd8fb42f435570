"""Every notebook's stated self-study time follows the rule of notebook 00, section 2.1.

The rule is computed by `tools/study_time.py`; the first cell states it rounded to 5 minutes,
in one format: "about X minutes, Y for the sections and Z for the N exercises; the optional
parts add W". A notebook that grows (or loses) a section without updating its estimate fails.
"""

import importlib.util
import json
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
NUMBERS = {"three": 3, "four": 4, "five": 5}
STATED = re.compile(
    r"Self-study:\**\s+about (\d+) minutes, (\d+) for the sections and (\d+) for the (\w+) "
    r"(?:exercises|warm-ups)(?:; the optional parts? adds? (\d+))?"
)

spec = importlib.util.spec_from_file_location("study_time", ROOT / "tools" / "study_time.py")
study_time = importlib.util.module_from_spec(spec)
spec.loader.exec_module(study_time)


def close(stated: int, estimate: float) -> bool:
    """A stated time rounded to 5 minutes is within 5 minutes or 10% of the rule's estimate."""
    return abs(stated - estimate) <= max(5.0, 0.1 * estimate)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_stated_self_study_time_follows_the_rule(path):
    first_cell = " ".join("".join(json.loads(path.read_text())["cells"][0]["source"]).split())
    match = STATED.search(first_cell)
    assert match, f"{path.name}: the first cell does not state its self-study time in the course's format"
    total, sections, exercises, count, optional = match.groups()
    rule = study_time.estimate(path)
    assert close(int(exercises), rule["exercises"]), (path.name, exercises, rule)
    assert NUMBERS[count] * (5 if path.name.startswith("00") else 8) == rule["exercises"], (path.name, count)
    assert int(total) == int(sections) + int(exercises), (path.name, total, sections, exercises)
    assert close(int(sections), rule["sections"]), (path.name, sections, rule)
    assert close(int(optional or 0), rule["optional"]), (path.name, optional, rule)


def test_the_rule_counts_optional_parts_apart(tmp_path):
    cells = [
        {"cell_type": "markdown", "source": ["## 1. Main\n", "word " * 100]},
        {"cell_type": "code", "source": ["x = 1\n"] * 15, "outputs": [{"data": {"image/png": ""}}]},
        {"cell_type": "markdown", "source": ["#### Going deeper (optional): more\n", "word " * 200]},
        {"cell_type": "code", "source": ["y = 2\n"] * 30, "outputs": []},
        {"cell_type": "markdown", "source": ["## Exercises\n", "word " * 300]},
        {"cell_type": "code", "source": ['check("01.1", f)\n'], "outputs": []},
        {"cell_type": "markdown", "source": ["## Summary\n", "> **Going deeper (optional): a box**\n> " + "w " * 100]},
    ]
    path = tmp_path / "01_example.ipynb"
    path.write_text(json.dumps({"cells": cells}))
    rule = study_time.estimate(path)
    assert rule["exercises"] == 8
    assert rule["sections"] == pytest.approx((3 + 100) / 100 + 1 + 1 + 2 / 100)  # headings count as words
    assert rule["optional"] == pytest.approx((5 + 200) / 100 + 2 + (6 + 101) / 100)
