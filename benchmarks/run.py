"""gdcourse's benchmarks: ``make bench`` (or ``python benchmarks/run.py``).

Prints a Markdown report and writes it to benchmarks/results/latest.md, with the raw numbers in
latest.json and the plots in latest.png. Sections (``--sections`` picks some):

1. optimizers: one step of each gdcourse optimizer against its torch.optim twin and against
   the memory-bandwidth floor, for 10 to 1e6 float64 parameters (optimizers.py);
2. training: an epoch of the digits MLP with gdcourse.train.fit against torch.nn + torch.optim,
   and the time to a target accuracy (training.py);
3. scaling: fit time against the number of samples and the batch size (scaling.py);
4. widget: the optimizer explorer's latency from a slider change to the new figure (widget.py);
5. notebooks: lint, unit tests and every notebook under nbval, as make test runs them, with
   each notebook's time and kernel memory (notebooks.py).

``--quick`` uses fewer repeats and sizes and skips the notebooks: about a minute.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import common

HERE = Path(__file__).resolve().parent
SECTIONS = ["optimizers", "training", "scaling", "widget", "notebooks"]
TITLES = {
    "optimizers": "Optimizer step",
    "training": "Training: digits MLP",
    "scaling": "Scaling",
    "widget": "Widget redraw",
    "notebooks": "Notebooks under nbval (make test)",
}


def run_section(name: str, quick: bool) -> dict:
    module = __import__(name)
    return module.run() if name == "notebooks" else module.run(quick=quick)


def machine_table(info: dict) -> str:
    rows = [
        [
            "CPU",
            f"{info['cpu']}, {info['cores']} cores (shared with other jobs: load average {info['load_before']} "
            f"before, {info['load_after']} after)",
        ],
        ["Python / NumPy", f"{info['python']} / {info['numpy']} ({info['numpy_blas']})"],
        ["PyTorch", f"{info.get('torch')} ({info.get('torch_blas', '?')})"],
        ["threads", f"{info['threads']} for NumPy's BLAS and for torch (torch.set_num_threads)"],
        [
            "clock",
            "CPU time of the process (time.process_time) for optimizers, training and scaling; "
            "wall clock for the widget and the notebooks",
        ],
        ["date", f"{info['date']}, {info['seconds']:.0f} s for this run{' (--quick)' if info['quick'] else ''}"],
    ]
    return common.markdown_table(["machine", "as measured"], rows)


def report(results: dict, info: dict) -> str:
    parts = [
        "# gdcourse benchmarks\n",
        "Made by `make bench` (`python benchmarks/run.py`). Ratios are gdcourse's time divided by the other's, "
        "measured in the same run with the candidates interleaved, medians over repeats: below 1, gdcourse is "
        "faster. The machine is shared with other jobs, so absolute times move from run to run; ratios less so.\n",
        machine_table(info),
    ]
    for name in SECTIONS:
        if name in results:
            module = __import__(name)
            parts.append(f"## {TITLES[name]}\n\n{module.tables(results[name])}")
    return "\n\n".join(parts) + "\n"


def plot(results: dict, path: Path) -> None:
    """Optimizer ratios by size, and the scaling of fit's time (log-log, slopes in the legend)."""
    from matplotlib.figure import Figure
    from matplotlib.ticker import FuncFormatter, NullFormatter

    panels = (["optimizers"] if "optimizers" in results else []) + (
        ["by_n", "by_batch"] if "scaling" in results else []
    )
    if not panels:
        return
    figure = Figure(figsize=(5.5 * len(panels), 4.6), layout="constrained")
    for ax, panel in zip(figure.subplots(1, len(panels), squeeze=False)[0], panels, strict=True):
        if panel == "optimizers":
            sizes = results["optimizers"]["sizes"]
            by_name = {}
            for row in results["optimizers"]["rows"]:
                by_name.setdefault(row["optimizer"], []).append(row["vs_torch_foreach_false"])
            for name, ratios in by_name.items():
                ax.plot(sizes, ratios, "o-", ms=3, label=name)
            ax.axhline(1, color="black", lw=1, ls="--", label="as fast as torch")
            ax.set(xscale="log", yscale="log", xlabel="number of float64 parameters", ylabel="time ratio")
            ax.set_yticks([0.1, 0.2, 0.5, 1, 2, 5])
            ax.set_title("One optimizer step: gdcourse / torch.optim (foreach=False)", fontsize=10)
            ax.legend(fontsize=7, ncol=2)
            continue
        scaling = results["scaling"]
        axis = "n" if panel == "by_n" else "batch_size"
        x = [p[axis] for p in scaling[panel]]
        for side, style in [("gdcourse", "o-"), ("torch", "s:")]:
            y = [p[f"{side}_s"] for p in scaling[panel]]
            ax.plot(x, y, style, ms=4, label=f"{side}: slope {scaling[f'{panel}_slope_{side}']:.2f}")
        epochs = scaling["num_epochs"]
        if panel == "by_n":
            ax.set(xlabel="number of samples (batch size 32)", title=f"Digits MLP, {epochs}-epoch fit call vs samples")
        else:
            ax.set(xlabel="batch size (1438 samples)", title=f"Digits MLP, {epochs}-epoch fit call vs batch size")
        ax.set(xscale="log", yscale="log", ylabel="seconds (CPU)")
        ax.title.set_fontsize(10)
        ax.legend(fontsize=8)
    for ax in figure.axes:  # plain numbers on the log axes, no crowded minor labels
        for axis in (ax.xaxis, ax.yaxis):
            axis.set_major_formatter(FuncFormatter(lambda value, _: f"{value:g}"))
            axis.set_minor_formatter(NullFormatter())
    figure.savefig(path, dpi=110)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="gdcourse's benchmarks (see benchmarks/run.py)")
    parser.add_argument("--quick", action="store_true", help="fewer repeats and sizes, no notebooks (~1 minute)")
    parser.add_argument("--sections", nargs="+", choices=SECTIONS, help="run only these sections")
    parser.add_argument("--threads", type=int, default=1, help="threads for NumPy's BLAS and torch (default 1)")
    parser.add_argument("--output", type=Path, default=HERE / "results", help="folder for latest.md/.json/.png")
    args = parser.parse_args(argv)
    sections = args.sections or [s for s in SECTIONS if not (args.quick and s == "notebooks")]

    common.setup(args.threads)
    info = {**common.machine(args.threads), "quick": args.quick, "load_before": common.load_average()}
    start = time.perf_counter()
    results = {}
    for name in sections:
        print(f"running {name} ...", file=sys.stderr, flush=True)
        section_start = time.perf_counter()
        results[name] = run_section(name, args.quick)
        print(f"  {time.perf_counter() - section_start:.0f} s", file=sys.stderr, flush=True)
    info["seconds"] = time.perf_counter() - start
    info["load_after"] = common.load_average()

    text = report(results, info)
    print(text)
    args.output.mkdir(parents=True, exist_ok=True)
    (args.output / "latest.md").write_text(text)
    (args.output / "latest.json").write_text(json.dumps({"machine": info, **results}, indent=1))
    plot(results, args.output / "latest.png")
    print(f"wrote {args.output / 'latest.md'}, latest.json and latest.png", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
