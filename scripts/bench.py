"""Benchmark the handbook itself and write BENCHMARKS.md (run by `make bench`).

Measures, on this machine:
  1. the import floor: a fresh `python -c` that imports what the build imports (the toolchain named in
     mkdocs.yml and every third-party import statement of snippets/ and handbook/), median of runs;
  2. cold `mkdocs build --strict` runs (fresh process, empty output directory), taking turns with the floor's;
  3. the size of every built page and of the whole site;
  4. `make test` (three runs, judged by the median run's wall time), as a whole and command by command, pytest
     file by file (from timestamps of its output);
  5. CPU wall time of one window block versus one full block (snippets/cost/block_wall_time.py), written to
     snippets/data/block_wall_times.json for the page docs/beyond/cost.md;
  6. the machine's speed before and after, with a fixed pure-Python loop (`speed_probe`): its cores are shared.
Targets (reported, never enforced): build <= 2.5 x import floor; make test <= 180 s (venv installed);
every page <= 300 kB.
`--page-sizes` sizes the pages of an existing site/ alone and rewrites only that part of BENCHMARKS.md.

    .venv/bin/python scripts/bench.py [--skip-test] [--skip-blocks] [--floor-runs N] [--build-runs N] [--test-runs N]
"""

import argparse
import datetime
import importlib.metadata
import json
import os
import platform
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import yaml

from handbook.ahead import import_statements as snippet_import_statements
from handbook.paths import ARTIFACTS, ROOT

REPORT = ROOT / "BENCHMARKS.md"
BUILD_FACTOR_TARGET = 2.5
TEST_TARGET_S = 180
PAGE_TARGET_BYTES = 300 * 1000
VERSIONS = (
    "mkdocs",
    "mkdocs-material",
    "markdown-exec",
    "pymdown-extensions",
    "transformers",
    "torch",
    "matplotlib",
    "pytest",
)


def source_date_epoch() -> str:
    """The Makefile's SOURCE_DATE_EPOCH: the last commit's time (test_reproducible.py needs it set)."""
    if os.environ.get("SOURCE_DATE_EPOCH"):
        return os.environ["SOURCE_DATE_EPOCH"]
    done = subprocess.run(["git", "log", "-1", "--format=%ct"], cwd=ROOT, capture_output=True, text=True)
    return done.stdout.strip() or str(int((ROOT / "mkdocs.yml").stat().st_mtime))


def env() -> dict:
    """The environment `make` exports to its recipes, so a bench run outside make measures the same thing."""
    return {
        **os.environ,
        "NO_MKDOCS_2_WARNING": "1",
        "MPLBACKEND": "Agg",
        "HF_HUB_OFFLINE": "1",
        "TRANSFORMERS_OFFLINE": "1",
        "PYTHONDONTWRITEBYTECODE": "1",
        "SOURCE_DATE_EPOCH": source_date_epoch(),
    }


# -- the machine ---------------------------------------------------------------------------------------


def cpu_model() -> str:
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            return line.split(":", 1)[1].strip()
    return platform.processor() or platform.machine()


def memory_gib() -> float:
    for line in Path("/proc/meminfo").read_text().splitlines():
        if line.startswith("MemTotal:"):
            return round(int(line.split()[1]) / 2**20, 1)
    return float("nan")


def load_average() -> str:
    return " / ".join(f"{x:.2f}" for x in os.getloadavg())


SPEED_LOOP = 20_000_000


def speed_probe(loops: int = SPEED_LOOP) -> float:
    """CPU seconds a fresh interpreter spends on a fixed pure-Python loop: how fast this machine's cores are at the
    moment (they are shared: the same loop has taken twice as long in one hour as in another). The loop stays in
    the CPU's caches, so it does not see memory-bound work (imports, the build) slow down on its own: two runs
    with the same probe can still differ."""
    code = f"import time\nt = time.process_time()\ns = 0\nfor i in range({loops}):\n    s += i * i\nprint(time.process_time() - t)"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return float(done.stdout)


def machine() -> dict:
    return {
        "cpu": cpu_model(),
        "cores": os.cpu_count(),
        "memory_gib": memory_gib(),
        "os": f"{platform.system()} {platform.release()}",
    }


def versions() -> dict:
    found = {"python": platform.python_version()}
    for name in VERSIONS:
        try:
            found[name] = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            found[name] = "not installed"
    return found


# -- what the build imports ----------------------------------------------------------------------------


def _ignore_tags(loader, suffix, node):
    return None


def toolchain_modules() -> list:
    """Modules mkdocs loads for this configuration: itself, the theme, the plugins, the Markdown extensions."""
    loader = type("Loader", (yaml.SafeLoader,), {})
    loader.add_multi_constructor("!", _ignore_tags)
    config = yaml.load((ROOT / "mkdocs.yml").read_text(), Loader=loader)
    modules = ["mkdocs.commands.build", config["theme"]["name"]]
    plugins = {
        point.name: point.value.split(":")[0] for point in importlib.metadata.entry_points(group="mkdocs.plugins")
    }
    for plugin in config.get("plugins", []):
        name = plugin if isinstance(plugin, str) else next(iter(plugin))
        modules.append(plugins.get(f"material/{name}", plugins.get(name, name)))
    for extension in config.get("markdown_extensions", []):
        name = extension if isinstance(extension, str) else next(iter(extension))
        modules.append(name if "." in name else f"markdown.extensions.{name}")
    return list(dict.fromkeys(modules))


def import_floor_code() -> str:
    return "\n".join([f"import {', '.join(toolchain_modules())}", *snippet_import_statements()])


def time_command(command: list, **kwargs) -> tuple:
    start = time.perf_counter()
    done = subprocess.run(command, cwd=ROOT, env=env(), capture_output=True, text=True, **kwargs)
    return time.perf_counter() - start, done


def import_floor(runs: int) -> dict:
    code = import_floor_code()
    seconds = []
    for _ in range(runs):
        elapsed, done = time_command([sys.executable, "-c", code])
        if done.returncode:
            raise RuntimeError(f"the import floor does not import:\n{done.stderr}")
        seconds.append(elapsed)
    return {"code": code, "seconds": seconds, "median": statistics.median(seconds)}


# -- the build and its pages ---------------------------------------------------------------------------


def children_cpu() -> float:
    used = resource.getrusage(resource.RUSAGE_CHILDREN)
    return used.ru_utime + used.ru_stime


class TreeCPU:
    """CPU time (user + sys) of every process below this one, sampled from /proc every `interval` seconds while it
    runs: getrusage(RUSAGE_CHILDREN) misses the processes nobody waited for (pytest-xdist's workers, Chromium's
    renderers), so `make test` needs this. Each process counts with its last sample, so the few that live less
    than `interval` are missed: the total is still a lower bound, a close one."""

    def __init__(self, interval: float = 0.1):
        self.interval, self.seen, self.stop = interval, {}, threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.outside = set()  # pids seen alive outside the tree: a process never moves into another's tree

    @staticmethod
    def _stat(pid: int):
        """(ppid, start time, user + sys ticks) of a process, or None once it is gone."""
        try:
            with open(f"/proc/{pid}/stat", "rb") as file:
                stat = file.read()
        except OSError:
            return None
        fields = stat[stat.rindex(b")") + 2 :].split()  # after "pid (comm) ": state, ppid, ...
        return int(fields[1]), fields[19], int(fields[11]) + int(fields[12])

    def _run(self) -> None:
        # The sampler runs beside what it measures, on the same cores: it reads the stat file of the processes
        # in the tree and of new pids only, not of every process on the machine at every sample.
        below = {os.getpid()}
        while not self.stop.is_set():
            alive = {int(name) for name in os.listdir("/proc") if name.isdigit()}
            self.outside &= alive  # a pid that ended may come back as another process
            below &= alive | {os.getpid()}
            stats = {pid: self._stat(pid) for pid in alive - self.outside}
            changed = True
            while changed:  # a new process joins the tree when its parent is in it
                grown = {pid for pid, stat in stats.items() if stat and pid not in below and stat[0] in below}
                below |= grown
                changed = bool(grown)
            for pid, stat in stats.items():
                if stat is None:
                    continue
                if pid in below:
                    if pid != os.getpid():
                        self.seen[pid, stat[1]] = stat[2]
                else:
                    self.outside.add(pid)
            self.stop.wait(self.interval)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.stop.set()
        self.thread.join()

    @property
    def seconds(self) -> float:
        return sum(self.seen.values()) / os.sysconf("SC_CLK_TCK")


def cold_build(site: Path) -> dict:
    """One cold build: its wall time, and its CPU time (user + sys of the build and every process it started:
    fence children, the notebook kernel, subprocesses), which is more than the wall time where they overlap."""
    cpu = children_cpu()
    elapsed, done = time_command([str(ROOT / ".venv/bin/mkdocs"), "build", "--strict", "--site-dir", str(site)])
    return {"seconds": elapsed, "cpu": children_cpu() - cpu, "ok": done.returncode == 0, "tail": done.stderr[-2000:]}


def page_sizes(site: Path) -> dict:
    pages = {str(p.relative_to(site)): p.stat().st_size for p in sorted(site.rglob("*.html"))}
    files = [p for p in site.rglob("*") if p.is_file()]
    return {"pages": pages, "site_bytes": sum(p.stat().st_size for p in files), "site_files": len(files)}


def page_table(pages: dict) -> list:
    """One row per page: its size and whether it is within the page target."""
    return [
        f"| page | size (kB) | <= {PAGE_TARGET_BYTES / 1000:.0f} kB |",
        "|---|---|---|",
        *[
            f"| `{page}` | {size / 1000:.1f} | {'yes' if size <= PAGE_TARGET_BYTES else '**no**'} |"
            for page, size in pages.items()
        ],
    ]


def update_page_sizes(site: Path) -> None:
    """Rewrite the largest-page target row and the page table of BENCHMARKS.md from an existing site/,
    leaving every timing as it was (the whole report comes from `make bench`)."""
    sizes = page_sizes(site)
    largest = max(sizes["pages"].items(), key=lambda item: item[1])
    text = REPORT.read_text()
    text = re.sub(
        r"^\| largest page <= .*$",
        f"| largest page <= {PAGE_TARGET_BYTES / 1000:.0f} kB | `{largest[0]}`: {largest[1] / 1000:.1f} kB "
        f"| {verdict(largest[1] <= PAGE_TARGET_BYTES)} |",
        text,
        count=1,
        flags=re.MULTILINE,
    )
    table = re.compile(r"^Whole site: .*?\n\n(?:\|.*\n)+", re.MULTILINE)
    text = table.sub(
        lambda _: (
            f"Whole site: {sizes['site_bytes'] / 1e6:.2f} MB in {sizes['site_files']} files "
            f"(HTML pages: {sum(sizes['pages'].values()) / 1e6:.2f} MB). kB = 1000 bytes. Sizes refreshed on "
            f"{datetime.datetime.now(datetime.UTC):%Y-%m-%d %H:%M} UTC by `scripts/bench.py --page-sizes`; "
            "the timings above are from the run named at the top.\n\n" + "\n".join(page_table(sizes["pages"])) + "\n"
        ),
        text,
        count=1,
    )
    REPORT.write_text(text)
    print(f"updated the page sizes in {REPORT.relative_to(ROOT)} (largest: {largest[0]}, {largest[1] / 1000:.1f} kB)")


# -- make test, timed from its own output --------------------------------------------------------------


def test_commands() -> list:
    """The commands `make test` runs, in order, as `make -n` prints them (continued lines joined)."""
    dry = subprocess.run(
        ["make", "--no-print-directory", "-n", "test"], cwd=ROOT, env=env(), capture_output=True, text=True, check=True
    )
    commands, current = [], ""
    for line in dry.stdout.splitlines():
        current += line + "\n"
        if not line.endswith("\\"):
            commands.append(current.strip())
            current = ""
    return [command for command in commands if command]


def run_streamed(command: str) -> tuple:
    """Run one command in bash; return (exit status, seconds, [(seconds since start, output line)])."""
    events, start = [], time.perf_counter()
    process = subprocess.Popen(
        ["bash", "-eu", "-o", "pipefail", "-c", command],
        cwd=ROOT,
        env={**env(), "PYTHONUNBUFFERED": "1"},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        bufsize=1,
    )
    for line in process.stdout:
        events.append((time.perf_counter() - start, line.rstrip("\n")))
    status = process.wait()
    return status, time.perf_counter() - start, events


JUNIT = ARTIFACTS / "bench-junit.xml"


def pytest_files(junit: Path) -> list:
    """Seconds per test file, from pytest's JUnit report: each test's own time (setup, call, teardown), summed
    by file. With two workers (xdist) two files run at once, so the sum exceeds pytest's wall time."""
    import xml.etree.ElementTree as ET

    if not junit.is_file():
        return []
    totals = {}
    for case in ET.parse(junit).iter("testcase"):
        module = case.get("classname", "")
        parts = module.split(".")
        while parts and not (ROOT / Path(*parts)).with_suffix(".py").is_file():
            parts = parts[:-1]  # drop a class name
        name = Path(*parts).with_suffix(".py").as_posix() if parts else module
        totals[name] = totals.get(name, 0.0) + float(case.get("time", 0) or 0)
    return sorted(totals.items(), key=lambda item: -item[1])


# What `make test`'s output says on the way, and when (its one long step starts pytest, the builds and the link check
# at once): (what it marks, the first output line it is read from).
MILESTONES = [
    ("`site/` built (mkdocs logs its success)", r"Documentation built in"),
    ("link check done (lychee's summary)", r"\d+ Total"),
    ("pytest done (its summary line)", r"\d+ (passed|failed)"),
]


def milestones(events: list, offset: float) -> list:
    """(what, seconds since `make test` started) for each MILESTONES line found in one step's output events."""
    found = []
    for what, pattern in MILESTONES:
        when = next((t for t, line in events if re.search(pattern, line)), None)
        if when is not None:
            found.append((what, offset + when))
    return found


def milestone_lines(marks: list) -> list:
    """The report's "On the way" list: each milestone found, in the order it came, then each one that never came
    (a failed build never logs its success), so the list is never empty and says what is missing."""
    seen = {what for what, _ in marks}
    return [f"- at {seconds:.1f} s: {what}" for what, seconds in marks] + [
        f"- not in the output: {what}" for what, _ in MILESTONES if what not in seen
    ]


def make_test() -> dict:
    """Time `make test` piece by piece: each command it runs, in order, what its output marks on the way
    (MILESTONES), and pytest file by file.

    Each command runs even when an earlier one failed, so one broken page does not hide the others' times.
    """
    steps, marks, files, summary, failures = [], [], [], "", []
    with TreeCPU() as cpu:
        for command in test_commands():
            shown = command.splitlines()[0].rstrip(" \\")
            if "pytest" in command:
                JUNIT.unlink(missing_ok=True)
                command = f"PYTEST_ADDOPTS=--junitxml={JUNIT} {command}"
            status, seconds, events = run_streamed(command)
            marks += milestones(events, sum(s for _, s, _ in steps))
            steps.append((shown, seconds, status))
            if "pytest" in command:
                files = pytest_files(JUNIT)
                summary = next((line for _, line in reversed(events) if re.search(r"\d+ (passed|failed)", line)), "")
            if status:
                failures.append("\n".join(line for _, line in events[-12:]))
    return {
        "status": max((status for *_, status in steps), default=0),
        "seconds": sum(s for _, s, _ in steps),
        "cpu": cpu.seconds,  # user + sys of every process below this one, sampled (TreeCPU)
        "steps": steps,
        "marks": marks,
        "files": files,
        "summary": summary.strip("= "),
        "tail": "\n\n".join(failures),
    }


# -- block wall times for docs/beyond/cost.md ------------------------------------------------------------


def block_times(repeats: int, before: str) -> None:
    import torch

    from handbook.snippets import load

    wall_time = load("cost/block_wall_time")
    record_path, measure = ROOT / wall_time.RECORD, wall_time.measure

    threads = 1
    rows = measure(repeats=repeats, threads=threads)
    record = {
        "about": "CPU wall time (seconds) of one Qwen2.5-VL vision block and of its attention module at the "
        "released checkpoint's width, window versus full segments. Written by scripts/bench.py "
        "(make bench); rendered by snippets/cost/block_wall_time.py on docs/beyond/cost.md.",
        "date": datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "machine": {**machine(), "load_average_before": before, "load_average_after": load_average()},
        "versions": {
            "python": platform.python_version(),
            "torch": torch.__version__,
            "transformers": importlib.metadata.version("transformers"),
        },
        "torch_threads": threads,
        "repeats": repeats,
        "rows": rows,
    }
    record_path.write_text(json.dumps(record, indent=1) + "\n")


# -- the report ----------------------------------------------------------------------------------------


def gpu_section() -> list:
    """The committed GPU record (make bench-gpu, or the reference record until then): never measured here."""
    from handbook.snippets import load

    gpu_table = load("cost/gpu_table")
    crossover_sentences, load_record = gpu_table.crossover_sentences, gpu_table.load_record
    provenance, ratio_table = gpu_table.provenance, gpu_table.ratio_table

    record = load_record()
    return [
        "## Vision encoder on a GPU",
        "",
        "Not measured by `make bench` (it needs a CUDA GPU: `make bench-gpu`); the committed record, which "
        "[Cost of window attention](docs/beyond/cost.md#measured-gpu-wall-time) renders in full:",
        "",
        provenance(record),
        "",
        ratio_table(record),
        "",
        crossover_sentences(record),
        "",
    ]


def groups(files: list) -> dict:
    """pytest files grouped as the suite is: page tests, browser tests, the other site-wide gates."""
    found = {}
    for name, seconds in files:
        if name.startswith("tests/pages/"):
            group = "tests/pages/"
        elif name.startswith("tests/site/browser/"):
            group = "tests/site/browser/"
        else:
            group = "tests/site/ (without browser)"
        count, total = found.get(group, (0, 0.0))
        found[group] = (count + 1, total + seconds)
    return found


def verdict(ok: bool) -> str:
    return "**pass**" if ok else "**fail**"


def median_run(runs: list) -> dict:
    """The `make test` run of median wall time (of an even count, the slower of the two middle ones), with every
    run's wall time, CPU time, exit status and machine speed in `runs`, in the order they ran. The status is the
    worst of all runs: one failed run fails the target."""
    middle = sorted(runs, key=lambda run: run["seconds"])[len(runs) // 2]
    return {
        **middle,
        "status": max(run["status"] for run in runs),
        "runs": [{key: run[key] for key in ("seconds", "cpu", "status", "speed")} for run in runs],
    }


def test_target_row(test: dict | None) -> str:
    """`make test` with the venv installed (the stamp exists: make bench installed it first) against its target:
    the median run's wall time."""
    head = f"| `make test` <= {TEST_TARGET_S} s (venv installed) |"
    if not test:
        return f"{head} not run (`--skip-test`) | — |"
    ok = test["status"] == 0 and test["seconds"] <= TEST_TARGET_S
    failed = "" if test["status"] == 0 else " (**a step failed**)"
    runs = test["runs"]
    measured = f"{test['seconds']:.1f} s"
    if len(runs) > 1:
        seconds = ", ".join(f"{run['seconds']:.1f}" for run in runs)
        measured += f", median of {len(runs)} runs ({seconds} s)"
    return f"{head} {measured}{failed} | {verdict(ok)} |"


def test_runs_lines(test: dict) -> list:
    """Every run of `make test`, its lead-in and the table; nothing for a single run."""
    runs = test["runs"]
    if len(runs) < 2:
        return []
    return [
        f"{len(runs)} runs, one after the other, each after a speed probe; the target is judged on the median run's "
        "wall time (as the cold build's), and any failed run fails it:",
        "",
        "| run | seconds | CPU seconds | speed probe before | exit status |",
        "|---|---|---|---|---|",
        *[
            f"| {number} | {run['seconds']:.1f} | {run['cpu']:.0f} | {run['speed']:.2f} s | {run['status']} |"
            for number, run in enumerate(runs, 1)
        ],
        "",
        "The median run:",
        "",
    ]


def speed_lines(results: dict) -> list:
    if "speed_before" not in results:
        return []
    return [
        f"- Machine speed (`speed_probe`: {SPEED_LOOP:,} multiply-adds in a fresh interpreter; more seconds, a "
        f"slower machine): {results['speed_before']:.2f} s of CPU before the timings, {results['speed_after']:.2f} s "
        "after. The loop stays in the CPU's caches: it does not see memory-bound work (imports, the build) slow "
        "down on its own, which the import floor below does."
    ]


def report(results: dict) -> str:
    m, v = results["machine"], results["versions"]
    floor, build, sizes = results["floor"], results["build"], results["sizes"]
    factor = build["seconds"] / floor["median"]
    largest = max(sizes["pages"].items(), key=lambda item: item[1])
    lines = [
        "# Benchmarks",
        "",
        f"Written by `make bench` (`scripts/bench.py`) on {results['date']}. Re-run it to refresh this file.",
        "",
        f"- Machine: {m['cpu']}, {m['cores']} cores, {m['memory_gib']} GiB memory, {m['os']}.",
        f"- Load average (1 / 5 / 15 min): {results['load_before']} at the start, {results['load_after']} at the end.",
        *speed_lines(results),
        "- Versions: " + ", ".join(f"{name} {version}" for name, version in v.items()) + ".",
        "",
        "> **Noisy numbers.** The cores are shared: other jobs ran on the same machine during this run (see "
        "the load average), so every time below is an upper bound on what an idle machine would show. "
        "Nothing in `make test` asserts a time; these targets are reported, not enforced.",
        "",
        "## Targets",
        "",
        "| target | measured | result |",
        "|---|---|---|",
        f"| cold build <= {BUILD_FACTOR_TARGET} x import floor | {build['seconds']:.1f} s = {factor:.1f} x "
        f"{floor['median']:.1f} s | {verdict(build['ok'] and factor <= BUILD_FACTOR_TARGET)} |",
        test_target_row(results.get("test")),
        f"| largest page <= {PAGE_TARGET_BYTES / 1000:.0f} kB | `{largest[0]}`: {largest[1] / 1000:.1f} kB "
        f"| {verdict(largest[1] <= PAGE_TARGET_BYTES)} |",
        "",
        "## Build against the import floor",
        "",
        f"- Import floor: median {floor['median']:.2f} s of {len(floor['seconds'])} fresh `python -c` runs "
        f"({', '.join(f'{s:.2f}' for s in floor['seconds'])} s) importing what the build imports:",
        "",
        "```python",
        floor["code"],
        "```",
        "",
        f"- Cold build (`mkdocs build --strict`, fresh process, empty output directory): median {build['seconds']:.1f} s "
        f"of {len(build.get('runs', [0]))} ({', '.join(f'{s:.1f}' for s in build.get('runs', [build['seconds']]))} s), "
        "each run right after one of the floor's"
        f"{'' if build['ok'] else ' — **the build failed**'}. The build imports the same modules once, so "
        f"{build['seconds'] - floor['median']:.1f} s of it is rendering pages and running their code"
        + (
            f"; median {build['cpu']:.1f} s of CPU time (user + sys, its child processes included: the exec fences run "
            "ahead, side by side, and the notebook's kernel, see `handbook/ahead.py`). On "
            f"{results['machine']['cores']} cores that CPU time alone takes at least "
            f"{build['cpu'] / results['machine']['cores']:.1f} s = "
            f"{build['cpu'] / results['machine']['cores'] / floor['median']:.1f} x the floor."
            if "cpu" in build
            else "."
        ),
        "",
        "## Page sizes",
        "",
        f"Whole site: {sizes['site_bytes'] / 1e6:.2f} MB in {sizes['site_files']} files "
        f"(HTML pages: {sum(sizes['pages'].values()) / 1e6:.2f} MB). kB = 1000 bytes.",
        "",
        *page_table(sizes["pages"]),
        "",
    ]
    test = results.get("test")
    if test:
        lines += [
            "## `make test`",
            "",
            *test_runs_lines(test),
            f"{test['seconds']:.1f} s in all, the commands `make test` runs, one after the other "
            f"({'all passed' if test['status'] == 0 else '**some failed**, see the tail below'}); pytest: "
            f"{test['summary'] or 'no summary line'}."
            + (
                f" {test['cpu']:.0f} s of CPU time (user + sys of every process it ran, sampled every 0.1 s: the two "
                f"builds, pytest's workers, Chromium, node): on {results['machine']['cores']} cores, at least "
                f"{test['cpu'] / results['machine']['cores']:.0f} s however the work is spread."
                if "cpu" in test
                else ""
            ),
            "",
            "| step (as `make test` runs it) | seconds | exit status |",
            "|---|---|---|",
            *[f"| `{command[:90]}` | {seconds:.1f} | {status} |" for command, seconds, status in test["steps"]],
            "",
            "On the way (pytest starts with the builds and waits for them, the link check after them):",
            "",
            *milestone_lines(test["marks"]),
            "",
            "pytest by group, then file by file: each test's own time summed by file (pytest's JUnit report); two "
            "workers run at once, so the sums exceed pytest's wall time, and collection is not in them:",
            "",
            "| group | files | seconds |",
            "|---|---|---|",
            *[f"| `{group}` | {count} | {seconds:.1f} |" for group, (count, seconds) in groups(test["files"]).items()],
            "",
            "| file | seconds |",
            "|---|---|",
            *[f"| `{name}` | {seconds:.1f} |" for name, seconds in test["files"]],
            "",
        ]
        if test["status"]:
            lines += ["Tail of the output of each failed step:", "", "```text", test["tail"], "```", ""]
    else:
        lines += ["## `make test`", "", "Not run (`--skip-test`).", ""]
    blocks = results.get("blocks")
    lines += [
        "## Window block against full block",
        "",
        (
            f"Measured in this run ({blocks:.0f} s) and written to `snippets/data/block_wall_times.json`; "
            "[Cost of window attention](docs/beyond/cost.md) renders it next to the FLOP ratios."
            if blocks is not None
            else "Not re-measured in this run (`--skip-blocks`); "
            "`snippets/data/block_wall_times.json` keeps its earlier record."
        ),
        "",
    ]
    return "\n".join(lines + gpu_section())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--skip-test", action="store_true", help="do not run make test")
    parser.add_argument("--skip-blocks", action="store_true", help="keep the committed block wall times")
    parser.add_argument("--floor-runs", type=int, default=5)
    parser.add_argument("--build-runs", type=int, default=3)
    parser.add_argument("--test-runs", type=int, default=3)
    parser.add_argument(
        "--page-sizes",
        metavar="SITE",
        type=Path,
        help="only size the pages of this built site and update BENCHMARKS.md's page table",
    )
    parser.add_argument("--block-repeats", type=int, default=5)
    args = parser.parse_args()
    if args.page_sizes:
        update_page_sizes(args.page_sizes)
        return

    results = {
        "date": datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "machine": machine(),
        "versions": versions(),
        "load_before": load_average(),
        "speed_before": speed_probe(),
    }
    if not args.skip_blocks:
        print("measuring window and full blocks ...", flush=True)
        start = time.perf_counter()
        block_times(args.block_repeats, results["load_before"])
        results["blocks"] = time.perf_counter() - start
    # The floor and the builds take turns: this machine's speed drifts by a fifth from minute to minute (shared
    # cores), and a drift then weighs on both sides of the ratio alike instead of on one.
    print(f"import floor and cold build, {args.floor_runs} and {args.build_runs} runs taking turns ...", flush=True)
    floors, builds = [], []
    for turn in range(max(args.floor_runs, args.build_runs)):
        if turn < args.floor_runs:
            floors.append(import_floor(1))
        if turn < args.build_runs:
            site = Path(tempfile.mkdtemp(prefix="bench-site-"))
            try:
                builds.append(cold_build(site))
                results["sizes"] = page_sizes(site)
            finally:
                shutil.rmtree(site, ignore_errors=True)
    seconds = [f["seconds"][0] for f in floors]
    results["floor"] = {"code": floors[0]["code"], "seconds": seconds, "median": statistics.median(seconds)}
    results["build"] = {
        "runs": [b["seconds"] for b in builds],
        "seconds": statistics.median(b["seconds"] for b in builds),
        "cpu": statistics.median(b["cpu"] for b in builds),
        "ok": all(b["ok"] for b in builds),
        "tail": next((b["tail"] for b in builds if not b["ok"]), ""),
    }
    if not results["build"]["ok"]:
        print(results["build"]["tail"], file=sys.stderr)
    if not args.skip_test:
        runs = []
        for turn in range(args.test_runs):
            print(f"make test, run {turn + 1} of {args.test_runs} ...", flush=True)
            speed = speed_probe()
            runs.append({**make_test(), "speed": speed})
        results["test"] = median_run(runs)
    results["load_after"] = load_average()
    results["speed_after"] = speed_probe()
    REPORT.write_text(report(results))
    print(f"wrote {REPORT.relative_to(ROOT)}")
    sys.exit(0 if results["build"]["ok"] else 1)


if __name__ == "__main__":
    main()
