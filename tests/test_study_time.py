"""The self-study time a notebook states in its first cell is the one the course's rule gives
(notebook 00, section 2.1; ``tools/study_time.py``), rounded to 5 minutes."""

from __future__ import annotations

import importlib.util
import json
import re
import sys
from pathlib import Path

import pytest

from gdcourse import course

ROOT = Path(__file__).resolve().parent.parent
spec = importlib.util.spec_from_file_location("study_time", ROOT / "tools" / "study_time.py")
study_time = importlib.util.module_from_spec(spec)
sys.modules["study_time"] = study_time
spec.loader.exec_module(study_time)

STATEMENT = re.compile(
    r"Self-study: about (\d+) minutes, (\d+) for the sections and (\d+) for the (\w+) exercises; "
    r"the optional parts? adds? (\d+) \(how we estimate: notebook 00, section 2\.1\)"
)
WORDS = {"three": 3, "four": 4, "five": 5, "six": 6}


def to_5(minutes: float) -> int:
    return int(5 * round(minutes / 5))


# The notebooks whose statement follows the rule exactly (extend as the others are brought to it).
@pytest.mark.parametrize("number", ["05"])
def test_stated_self_study_time_is_the_rule_rounded_to_5_minutes(number):
    path = course.find(number)
    first = "".join(json.loads(path.read_text(encoding="utf-8"))["cells"][0]["source"])
    match = STATEMENT.search(" ".join(first.split()))
    assert match, f"notebook {number}'s first cell does not state its time in the course's format"
    total, sections, exercises, count, optional = match.groups()
    m = study_time.estimate(path)
    assert int(sections) == to_5(m["sections"])
    assert int(exercises) == m["exercises"] == 8 * WORDS[count]
    assert int(total) == to_5(m["sections"] + m["exercises"])
    assert int(optional) == to_5(m["optional"])
