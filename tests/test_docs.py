"""The instructor guide covers every notebook, quotes its objectives, adds up, and is kept
current by tools/measure_notebooks.py; the JupyterHub page shows the link the generator makes."""

from __future__ import annotations

import importlib.util
import json
import re
import sys
from pathlib import Path

import nbformat
import pytest

from gdcourse import course

ROOT = Path(__file__).resolve().parent.parent
GUIDE = ROOT / "docs" / "instructor-guide.md"
HUB = ROOT / "docs" / "jupyterhub.md"
TOOL = ROOT / "tools" / "measure_notebooks.py"


def load_tool():
    spec = importlib.util.spec_from_file_location("measure_notebooks", TOOL)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while it loads
    spec.loader.exec_module(module)
    return module


def squash(text: str) -> str:
    return " ".join(text.split())


def section(text: str, path: Path) -> str:
    """The guide's section for a notebook: from its heading to the next heading of that level."""
    match = re.search(rf"^### [^\n]*\(`{re.escape(path.name)}`\)\n(.*?)(?=^##? |^### |\Z)", text, re.M | re.S)
    assert match, f"the instructor guide has no '### NN · Title (`{path.name}`)' section"
    return match.group(1)


def objectives(path: Path) -> list[str]:
    """The bullets under "Learning objectives" in the notebook's first cell."""
    first = json.loads(path.read_text())["cells"][0]["source"]
    text = "".join(first).split("Learning objectives", 1)[1]
    bullets = re.split(r"^- ", text.split("**Prerequisites", 1)[0], flags=re.M)[1:]
    return [squash(b) for b in bullets]


@pytest.mark.parametrize("path", course.notebooks(), ids=lambda p: p.stem[:2])
def test_the_guide_has_a_section_for_every_notebook_with_its_objectives_time_and_misconceptions(path):
    text = GUIDE.read_text()
    body = section(text, path)
    goals = objectives(path)
    assert len(goals) >= 3
    for goal in goals:
        assert goal in squash(body), f"{path.name}: objective not quoted in the guide: {goal}"
    assert re.search(r"\*\*Time\.\*\* Teach \d+ min", body) and re.search(r"exercises \d+ min", squash(body))
    assert "**Misconceptions and how the notebook addresses them.**" in body
    assert len(re.findall(r"^- \*", body, re.M)) >= 2  # at least two misconceptions


@pytest.mark.parametrize("path", course.notebooks(), ids=lambda p: p.stem[:2])
def test_the_measured_table_has_every_notebook(path):
    block = GUIDE.read_text().split("<!-- measured:begin -->")[1].split("<!-- measured:end -->")[0]
    command = "python tools/measure_notebooks.py --repeat 3 --update docs/instructor-guide.md"
    assert re.search(rf"^\| `{re.escape(path.name)}` \| \d+\.\d \|", block, re.M), f"no row for {path.name}: {command}"
    assert "Load average" in block and "CPU cores" in block  # the conditions are stated


def minutes(hhmm: str) -> int:
    h, m = hhmm.split(":")
    return 60 * int(h) + int(m)


def test_the_schedules_add_up():
    text = GUIDE.read_text()
    for title in ("### Half day", "### Full day"):
        table = text.split(title, 1)[1].split("\n\n", 2)[1]
        rows = re.findall(r"^\| (\d\d:\d\d)-(\d\d:\d\d) \| ([^|]+) \| *(\d*) *\| *(\d*) *\|", table, re.M)
        assert len(rows) >= 6, title
        for (start, end, what, teach, exercises), following in zip(rows, rows[1:] + [None], strict=True):
            if teach:
                assert minutes(end) - minutes(start) == int(teach) + int(exercises or 0), (
                    f"{title}: {start}-{end} {what}"
                )
            if following:
                assert following[0] == end, f"{title}: gap or overlap after {end}"
    full = text.split("### Full day", 1)[1].split("\n\n", 2)[1]
    slots = re.findall(r"^\| \d\d:\d\d-\d\d:\d\d \| [^|]+ \| *(\d+) *\| *(\d*) *\|", full, re.M)
    assert sum(int(t) + int(e or 0) for t, e in slots) == 390  # six and a half hours of teaching


def test_the_full_day_schedule_covers_every_notebook_of_the_course():
    table = GUIDE.read_text().split("### Full day", 1)[1].split("## Room logistics")[0]
    for path in course.notebooks():
        assert re.search(rf"^\| [^|]+ \| {path.stem[:2]} ", table, re.M), path.name


def test_the_guide_covers_the_room_logistics():
    text = GUIDE.read_text()
    for needed in ("100 simultaneous users per repository", "jupyterhub.md", "make html", "make fresh NB=02"):
        assert needed in text
    assert "CC BY 4.0" in text and "CC BY 4.0" in HUB.read_text()


def test_the_hub_page_shows_the_generators_link_and_the_template():
    text = HUB.read_text()
    assert course.hub_link("https://hub.example.org", "01") in text
    template = "/hub/user-redirect/git-pull?repo={}&branch=<branch>&urlpath=lab/tree/{}/notebooks/<notebook file>"
    assert template.format(course.REPOSITORY_URL, course.HUB_FOLDER) in text
    assert "python -m gdcourse.course hub-links" in text
    assert f"git push origin {course.RELEASE_TAG}:refs/heads/" in text


# --- the measurement tool ------------------------------------------------------------------------


def test_measure_tool_replaces_only_the_measured_block(tmp_path):
    tool = load_tool()
    doc = tmp_path / "guide.md"
    doc.write_text(f"before\n{tool.BEGIN}\nold table\n{tool.END}\nafter\n")
    tool.update_file(doc, "new table")
    assert doc.read_text() == f"before\n{tool.BEGIN}\nnew table\n{tool.END}\nafter\n"
    (tmp_path / "plain.md").write_text("no markers")
    with pytest.raises(SystemExit, match="no .* block"):
        tool.update_file(tmp_path / "plain.md", "x")


def test_measure_tool_runs_a_notebook_and_reports_time_cpu_and_memory(tmp_path, capsys):
    tool = load_tool()
    busy = (
        "import time\nblock = b'x' * (80 * 2**20)\nt = time.process_time()\nwhile time.process_time() - t < 0.3: pass"
    )
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(busy)])
    path = tmp_path / "00_tiny.ipynb"
    nbformat.write(nb, path)
    before = path.read_bytes()
    doc = tmp_path / "guide.md"
    doc.write_text(f"{tool.BEGIN}\n{tool.END}\n")
    assert tool.main([str(path), "--repeat", "2", "--update", str(doc)]) == 0
    assert path.read_bytes() == before  # the notebook itself is never written
    row = re.search(
        r"^\| `00_tiny.ipynb` \| ([\d.]+) \| ([\d.]+)-([\d.]+) \| ([\d.]+) \| (\d+) \|", doc.read_text(), re.M
    )
    assert row, doc.read_text()
    wall, cpu, peak = float(row.group(1)), float(row.group(4)), int(row.group(5))
    assert wall >= 0.3 and cpu >= 0.25  # the busy loop, counted
    assert peak >= 80  # the 80 MB buffer, counted
    assert "median of 2 runs" in capsys.readouterr().out
