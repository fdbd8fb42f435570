"""Numbers a notebook quotes from another notebook are the ones that notebook prints (stored outputs)."""

from __future__ import annotations

import re

import nbformat

from gdcourse import course


def printed(number: str) -> str:
    """Everything a notebook's stored outputs print (stdout and plain-text results), one string."""
    nb = nbformat.read(course.find(number), as_version=4)
    parts = []
    for cell in nb.cells:
        for out in cell.get("outputs", []):
            if out.output_type == "stream" and out.name == "stdout":
                parts.append(out.text)
            elif "text/plain" in out.get("data", {}):
                parts.append(out.data["text/plain"])
    return "\n".join(parts)


def test_07_rebuilds_the_run_notebook_04_chose():
    """07 section 5.2 trains notebook 04's chosen network again, in gdcourse and in torch: its History
    and test accuracy must be 04's, digit for digit."""
    nb04, nb07 = printed("04"), printed("07")
    history04 = re.search(r"chosen on the validation split: sigmoid with xavier init, lr 1: (History\(.*\))", nb04)
    history07 = re.search(r"fit's History of notebook 04's run: (History\(.*\))", nb07)
    assert history04 and history07
    assert history07.group(1) == history04.group(1)
    accuracy04 = re.search(r"test accuracy of the chosen network: (\d\.\d{4})", nb04)
    accuracy07 = re.search(r"its test accuracy: (\d\.\d{4})", nb07)
    assert accuracy04 and accuracy07 and accuracy07.group(1) == accuracy04.group(1)
