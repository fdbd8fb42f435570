"""tools/run_notebooks.py stores outputs that do not depend on how the kernel chunked a cell's printing."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import nbformat

TOOL = Path(__file__).resolve().parent.parent / "tools" / "run_notebooks.py"


def load_tool():
    spec = importlib.util.spec_from_file_location("run_notebooks", TOOL)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_consecutive_stream_chunks_are_merged_in_order():
    tool = load_tool()
    new = nbformat.v4.new_output
    outputs = [
        new("stream", name="stdout", text="a\n"),
        new("stream", name="stdout", text="b\n"),
        new("stream", name="stderr", text="warning\n"),
        new("stream", name="stdout", text="c\n"),
        new("execute_result", data={"text/plain": "42"}, execution_count=1),
        new("stream", name="stdout", text="d\n"),
    ]
    merged = tool.merge_streams(outputs)
    assert [(o.output_type, o.get("name"), o.get("text")) for o in merged] == [
        ("stream", "stdout", "a\nb\n"),
        ("stream", "stderr", "warning\n"),
        ("stream", "stdout", "c\n"),
        ("execute_result", None, None),
        ("stream", "stdout", "d\n"),
    ]
    # the whole text, read in order, is unchanged
    assert "".join(o.get("text", "") for o in merged) == "".join(o.get("text", "") for o in outputs)


def test_widget_views_are_stripped_and_stills_kept():
    tool = load_tool()
    new = nbformat.v4.new_output
    view = {"model_id": "abc123", "version_major": 2, "version_minor": 0}
    outputs = [
        new("display_data", data={tool.WIDGET_VIEW: view}),  # a progress bar: nothing else to show
        new("display_data", data={tool.WIDGET_VIEW: view, "text/plain": "Explorer", "image/png": "iVBOR"}),
    ]
    kept = tool.strip_widget_views(outputs)
    assert len(kept) == 1
    assert dict(kept[0].data) == {"text/plain": "Explorer", "image/png": "iVBOR"}
    assert tool.WIDGET_VIEW in outputs[1].data  # the input is not modified
