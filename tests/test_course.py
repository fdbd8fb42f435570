"""Fresh copies never overwrite a learner's work; launch links are right and survive nbgitpuller.

The JupyterHub route is tested with nbgitpuller's own pull code (``nbgitpuller.pull.GitPuller``,
the code a hub runs when a learner clicks the link) on git repositories in a temporary folder.
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import nbformat
import pytest

from gdcourse import course

ROOT = Path(__file__).resolve().parent.parent
NB = "02_linear_regression.ipynb"


def git(cwd: Path, *args: str) -> str:
    """git with a fixed identity, so the tests run where no user.name is configured."""
    command = ["git", "-c", "user.name=Course Author", "-c", "user.email=author@example.org"]
    command += ["-c", "init.defaultBranch=main", "-c", "commit.gpgsign=false", *args]
    return subprocess.run(command, cwd=cwd, capture_output=True, text=True, check=True).stdout


def executed(*sources: str, first_count: int = 1) -> nbformat.NotebookNode:
    """A notebook as the course stores them: run, with outputs and execution counts."""
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(s) for s in sources])
    for i, cell in enumerate(nb.cells):
        cell.id = f"cell-{i}"  # stable ids: the files differ only where the cells differ
        cell.execution_count = first_count + i
        cell.outputs = [nbformat.v4.new_output("stream", name="stdout", text=f"{cell.source}\n")]
    return nb


def make_notebook(*sources: str, first_count: int = 1) -> str:
    return nbformat.writes(executed(*sources, first_count=first_count))


def sources(path: Path) -> list[str]:
    nb = nbformat.read(path, as_version=4)
    nbformat.validate(nb)  # whatever git merged is still a valid notebook
    return [cell.source for cell in nb.cells]


def commit_all(repo: Path, message: str) -> None:
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", message)


@pytest.fixture
def clone(tmp_path):
    """A git clone of a small course: notebooks/02_linear_regression.ipynb, committed."""
    repo = tmp_path / "course"
    (repo / "notebooks").mkdir(parents=True)
    git(repo, "init", "-q")
    (repo / "notebooks" / NB).write_text(make_notebook("x = 1", "print(x)"))
    commit_all(repo, "course")
    return repo


# --- fresh copies -------------------------------------------------------------------------------


def test_fresh_copy_is_written_beside_the_learners_notebook_which_stays_unchanged(clone):
    mine = clone / "notebooks" / NB
    mine.write_text(make_notebook("x = 'my broken edit'", "print(x)"))
    before = mine.read_bytes()

    first = course.fresh_copy("02", clone / "notebooks")
    second = course.fresh_copy("02", clone / "notebooks")

    assert first == mine.with_name("02_linear_regression.fresh.ipynb")
    assert second == mine.with_name("02_linear_regression.fresh-2.ipynb")
    assert sources(first) == sources(second) == ["x = 1", "print(x)"]  # the published version
    assert mine.read_bytes() == before  # the learner's work, byte for byte
    assert not list((clone / "notebooks").glob("*.tmp"))  # no half-written leftovers
    assert course.notebooks(clone / "notebooks") == [mine]  # copies are not course notebooks
    assert course.find("02", clone / "notebooks") == mine


def test_fresh_copy_works_in_a_subfolder_and_for_a_notebook_edited_but_not_committed(clone):
    mine = clone / "notebooks" / NB
    mine.unlink()  # even a learner who emptied the file gets the published one back beside it
    mine.write_text("")
    assert sources(course.fresh_copy("02_linear", clone / "notebooks")) == ["x = 1", "print(x)"]


def test_fresh_copy_outside_a_git_clone_says_what_to_do(tmp_path):
    (tmp_path / NB).write_text(make_notebook("x = 1"))
    with pytest.raises(RuntimeError) as error:
        course.fresh_copy("02", tmp_path)
    message = str(error.value)
    assert "not a git clone" in message and course.REPOSITORY_URL in message and course.RELEASE_TAG in message
    assert [p.name for p in tmp_path.iterdir()] == [NB]  # nothing written


def test_find_names_the_notebooks_when_the_name_is_ambiguous(clone):
    with pytest.raises(ValueError, match="matches 0 notebooks.*02_linear_regression"):
        course.find("07", clone / "notebooks")


def test_command_line_fresh_copy(clone, monkeypatch, capsys):
    monkeypatch.setattr(course, "ROOT", clone)
    assert course.main(["fresh", "02"]) == 0
    assert "02_linear_regression.fresh.ipynb" in capsys.readouterr().out
    assert (clone / "notebooks" / "02_linear_regression.fresh.ipynb").exists()
    assert course.main(["fresh", "99"]) == 1
    assert "matches 0 notebooks" in capsys.readouterr().err
    assert course.main([]) == 2
    assert "fresh NN" in capsys.readouterr().out


def test_make_fresh_runs_the_command():
    rule = re.search(r"^fresh:.*\n((?:\t.*\n)+)", (ROOT / "Makefile").read_text(), re.M).group(1)
    assert "-m gdcourse.course fresh $(NB)" in rule


# --- launch links ------------------------------------------------------------------------------


def test_binder_link_points_at_the_release_tag_and_opens_the_notebook_in_lab():
    assert course.binder_link("02") == (
        f"https://mybinder.org/v2/gh/gdcourse/gdcourse/v1.0.0?urlpath=lab/tree/notebooks/{NB}"
    )
    assert course.binder_link().endswith("/v1.0.0?urlpath=lab/tree/notebooks")


@pytest.mark.parametrize(
    "hub",
    [
        "https://hub.example.org",
        "https://hub.example.org/",
        "https://hub.example.org/hub/",
        " https://hub.example.org ",
    ],
)
def test_hub_link_is_an_nbgitpuller_link(hub):
    link = urlsplit(course.hub_link(hub, "02"))
    assert (link.scheme, link.netloc, link.path) == ("https", "hub.example.org", "/hub/user-redirect/git-pull")
    assert parse_qs(link.query, strict_parsing=True) == {
        "repo": ["https://github.com/gdcourse/gdcourse"],
        "branch": [course.HUB_BRANCH],
        "urlpath": [f"lab/tree/gdcourse/notebooks/{NB}"],
    }


def test_hub_link_keeps_a_hub_path_prefix_and_takes_another_branch():
    link = course.hub_link("https://uni.example.org/jupyter", branch="workshop-2026")
    assert link.startswith("https://uni.example.org/jupyter/hub/user-redirect/git-pull?")
    assert parse_qs(urlsplit(link).query)["branch"] == ["workshop-2026"]
    assert parse_qs(urlsplit(link).query)["urlpath"] == ["lab/tree/gdcourse/notebooks"]


@pytest.mark.parametrize("branch", ["v1.0.0", "1.0", course.RELEASE_TAG, ""])
def test_hub_link_refuses_a_release_tag_and_says_how_to_freeze_the_course(branch):
    with pytest.raises(ValueError, match="not a release tag.*refs/heads/workshop"):
        course.hub_link("https://hub.example.org", "02", branch=branch)


@pytest.mark.parametrize("hub", ["hub.example.org", "ftp://hub.example.org", "https://hub.example.org/?x=1", ""])
def test_hub_link_refuses_what_is_not_a_hub_address(hub):
    with pytest.raises(ValueError, match="hub's address"):
        course.hub_link(hub)


def test_command_line_hub_links(capsys):
    assert course.main(["hub-link", "https://hub.example.org", "02", "--branch", "workshop"]) == 0
    assert capsys.readouterr().out.strip() == course.hub_link("https://hub.example.org", "02", branch="workshop")
    assert course.main(["hub-links", "https://hub.example.org"]) == 0
    table = capsys.readouterr().out
    for path in course.notebooks():
        assert course.hub_link("https://hub.example.org", path.stem[:2]) in table
    assert course.main(["hub-link", "https://hub.example.org", "02", "--branch", "v1.0.0"]) == 1
    assert "not a release tag" in capsys.readouterr().err
    assert course.main(["binder-link", "02"]) == 0
    assert capsys.readouterr().out.strip() == course.binder_link("02")


# --- the README's links ---------------------------------------------------------------------------

BINDER_LINK = re.compile(r"https://mybinder\.org/v2/[^\s)\"'>\]]+")


def test_readme_binder_links_use_the_published_repository_and_tag_and_open_existing_notebooks():
    readme = (ROOT / "README.md").read_text()
    links = BINDER_LINK.findall(readme)
    assert links, "the README has no Binder link"
    prefix = f"{course.BINDER}/v2/gh/{course.REPOSITORY}/{course.RELEASE_TAG}?urlpath=lab/tree/"
    opened = set()
    for link in links:
        assert link.startswith(prefix), f"{link} does not point at {course.REPOSITORY} tag {course.RELEASE_TAG}"
        target = link.removeprefix(prefix)
        assert (ROOT / target).exists(), f"{link} opens {target}, which is not in the repository"
        opened.add(target)
    present = {f"notebooks/{p.name}" for p in course.notebooks()}
    missing = present - opened
    assert not missing, (
        f"no Binder link in README.md for {sorted(missing)}: see `python -m gdcourse.course launch-table`"
    )


def test_readme_has_the_binder_badge_on_the_first_notebook_and_points_to_the_hub_route_and_docs():
    readme = (ROOT / "README.md").read_text()
    badge = f"[![Launch on Binder](https://mybinder.org/badge_logo.svg)]({course.binder_link('00')})"
    assert badge in readme
    assert "docs/jupyterhub.md" in readme and "docs/instructor-guide.md" in readme
    for url in re.findall(r"https://github\.com/[^\s)\"'>\]]+", readme):
        assert url.startswith(course.REPOSITORY_URL), f"{url} is not the course's repository"


# --- the JupyterHub route, with nbgitpuller's own code ----------------------------------------------


@pytest.fixture
def upstream(tmp_path):
    """The course as published: a repository with a notebook and a data file, branch main."""
    repo = tmp_path / "upstream"
    (repo / "notebooks").mkdir(parents=True)
    git(repo, "init", "-q")
    (repo / "notebooks" / NB).write_text(make_notebook("a = 1", "b = 2", "c = 3", "d = 4", "e = 5"))
    (repo / "notebooks" / "01_gradient_descent.ipynb").write_text(make_notebook("lr = 0.1"))
    commit_all(repo, "release")
    git(repo, "tag", "v1.0.0")
    return repo


def pull(upstream: Path, target: Path, branch: str) -> str:
    from nbgitpuller.pull import GitPuller

    # file:// so that git honours nbgitpuller's shallow clone (--depth 1), as from GitHub
    return "".join(GitPuller(f"file://{upstream}", str(target), branch=branch, depth=1).pull())


def test_nbgitpuller_keeps_the_learners_edits_and_brings_the_courses_changes(upstream, tmp_path):
    learner = tmp_path / "home" / "gdcourse"
    pull(upstream, learner, course.HUB_BRANCH)  # first click: clone
    mine = learner / "notebooks" / NB
    assert sources(mine) == ["a = 1", "b = 2", "c = 3", "d = 4", "e = 5"]

    # the learner works: one cell changed, one that upstream will change too, every cell run
    # again (new execution counts and outputs), and a new file
    mine.write_text(make_notebook("a = 'learner'", "b = 2", "c = 'learner'", "d = 4", "e = 5", first_count=6))
    (learner / "notebooks" / "my_notes.txt").write_text("mine")
    pristine = sources(course.fresh_copy("02", learner / "notebooks"))
    assert pristine == ["a = 1", "b = 2", "c = 3", "d = 4", "e = 5"]

    # the course changes: the same notebook elsewhere and in the learner's cell, another notebook
    theirs = upstream / "notebooks" / NB
    theirs.write_text(make_notebook("a = 1", "b = 2", "c = 'upstream'", "d = 4", "e = 'upstream'"))
    (upstream / "notebooks" / "01_gradient_descent.ipynb").write_text(make_notebook("lr = 0.05"))
    commit_all(upstream, "fix")

    log = pull(upstream, learner, course.HUB_BRANCH)  # second click: merge
    assert "Automatic commit by nbgitpuller" in git(learner, "log", "--format=%s")
    assert sources(mine) == ["a = 'learner'", "b = 2", "c = 'learner'", "d = 4", "e = 'upstream'"], log
    assert [cell.execution_count for cell in nbformat.read(mine, as_version=4).cells] == [6, 7, 8, 9, 10]
    assert sources(learner / "notebooks" / "01_gradient_descent.ipynb") == ["lr = 0.05"]
    assert (learner / "notebooks" / "my_notes.txt").read_text() == "mine"

    # HEAD now holds the learner's edits; a fresh copy is still the course's newest version
    assert sources(course.fresh_copy("02", learner / "notebooks")) == [
        "a = 1", "b = 2", "c = 'upstream'", "d = 4", "e = 'upstream'"
    ]  # fmt: skip
    assert sources(mine)[0] == "a = 'learner'"

    # deleting a notebook and clicking again restores it (nbgitpuller's own "fresh copy")
    (learner / "notebooks" / "01_gradient_descent.ipynb").unlink()
    pull(upstream, learner, course.HUB_BRANCH)
    assert sources(learner / "notebooks" / "01_gradient_descent.ipynb") == ["lr = 0.05"]
    assert sources(mine)[0] == "a = 'learner'"


def test_nbgitpuller_drops_a_new_cell_next_to_the_learners_changes_and_fresh_copy_has_it(upstream, tmp_path):
    """The limit of a line-based merge (documented in docs/jupyterhub.md): once a learner has run
    a notebook, every cell carries their changes (execution counts), so a cell the course inserts
    conflicts with them and ``-X ours`` keeps the learner's side (with git 2.39 the new cell is
    dropped). Nothing breaks, nothing of the learner's is lost, and the fresh copy has the cell."""
    learner = tmp_path / "home" / "gdcourse"
    pull(upstream, learner, course.HUB_BRANCH)
    mine = learner / "notebooks" / NB
    mine.write_text(make_notebook("a = 1", "b = 2", "c = 3", "d = 4", "e = 5", first_count=6))  # run again

    nb = executed("a = 1", "b = 2", "c = 3", "d = 4", "e = 5")
    nb.cells.insert(3, executed("new = 'cell'").cells[0])
    nb.cells[3].id = "cell-new"
    nbformat.write(nb, upstream / "notebooks" / NB)
    commit_all(upstream, "a new cell")
    pull(upstream, learner, course.HUB_BRANCH)

    merged = sources(mine)  # a valid notebook
    assert [s for s in merged if s != "new = 'cell'"] == ["a = 1", "b = 2", "c = 3", "d = 4", "e = 5"]
    assert "new = 'cell'" in sources(course.fresh_copy("02", learner / "notebooks"))


def test_fresh_copy_skips_the_learners_own_commits(upstream, tmp_path):
    learner = tmp_path / "laptop" / "gdcourse"
    git(tmp_path, "clone", "-q", str(upstream), str(learner))
    mine = learner / "notebooks" / NB
    mine.write_text(make_notebook("a = 'committed by the learner'"))
    commit_all(learner, "my answers")
    assert sources(course.fresh_copy("02", learner / "notebooks"))[0] == "a = 1"
    assert sources(mine) == ["a = 'committed by the learner'"]


def test_fresh_copy_on_binder_is_the_release_even_when_the_course_has_moved_on(upstream, tmp_path):
    """repo2docker clones the default branch, then ``git reset --hard`` to the tag of the link."""
    theirs = upstream / "notebooks" / NB
    theirs.write_text(make_notebook("a = 'after the release'"))
    commit_all(upstream, "after the release")
    binder = tmp_path / "binder"
    git(tmp_path, "clone", "-q", "--no-checkout", str(upstream), str(binder))
    git(binder, "reset", "-q", "--hard", course.RELEASE_TAG)
    (binder / "notebooks" / NB).write_text(make_notebook("a = 'learner'"))
    assert sources(course.fresh_copy("02", binder / "notebooks"))[0] == "a = 1"


def test_nbgitpuller_clones_a_tag_but_cannot_pull_it_again_hence_a_branch(upstream, tmp_path):
    """Why ``HUB_BRANCH`` is a branch and ``hub_link`` refuses tags (nbgitpuller 1.3.0). If this
    test fails after an upgrade, nbgitpuller re-pulls tags: the hub link may then use the tag."""
    learner = tmp_path / "home" / "gdcourse"
    pull(upstream, learner, course.RELEASE_TAG)
    mine = learner / "notebooks" / NB
    mine.write_text(make_notebook("a = 'learner'"))
    with pytest.raises(subprocess.CalledProcessError) as error:
        pull(upstream, learner, course.RELEASE_TAG)
    assert f"..origin/{course.RELEASE_TAG}" in error.value.cmd
    assert sources(mine) == ["a = 'learner'"]  # nothing lost, but the learner sees an error page
