"""What each package adds at import, in a fresh process set up with the example site's settings.

    uv run python bench/import_cost.py
    uv run python bench/import_cost.py --top 30   # more lines in each table

Three fresh processes, each with the environment bench/http_bench.py gives the example site
(DEBUG off, a PostgreSQL and a Redis URL, BENCH_FLOOR on; nothing connects to either), measured
at three points: after ``django.setup()``; after the WSGI application and its URLconf are
loaded too (``tracker_site.wsgi``, then one URL resolved: what a gunicorn worker holds before
its first request answers); and after what the first requests import when they first use it,
the cache's client (django-redis and redis-py) and the bearer token's check (django-ninja-jwt
and PyJWT), so the last point is a worker's memory before it holds any request's data:

1. resident memory (VmRSS), at start and at each point, without tracemalloc (which takes
   memory of its own);
2. tracemalloc from the process's first line, a snapshot at each point: the total, and the
   traces grouped by package, the first path component under site-packages or packages/*/src
   (or example_site/; the standard library as one). An allocation counts where it was made
   (the innermost frame in a file), except that the import system's own allocations (each
   module's code objects, read from its .pyc, and its module object) count to the module
   being imported rather than to ``<frozen importlib>``;
3. ``python -X importtime`` of the same program: each package's own import time (the sum of
   its modules' "self" times), and the top entries by cumulative time.

Prints figures only; changes nothing.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import secrets
import subprocess
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
STAGES = ("setup", "wsgi", "request")
STAGE_TITLES = {
    "setup": "after django.setup()",
    "wsgi": "+ WSGI app and URLconf",
    "request": "+ what the first request imports (the cache's client, the token check)",
}
STAGE_COLUMNS = {"setup": "setup", "wsgi": "+WSGI", "request": "+request"}
STDLIB = "(standard library)"
IMPORT_SYSTEM = "(import system: finding modules)"
GENERATED = "(code made by exec: dataclasses, namedtuples)"
SENTINEL_LINE = 1_000_000  # the line number of the frames that stand for a module being loaded


def environment() -> dict[str, str]:
    """The example site's environment in bench/http_bench.py (the URLs are never connected to)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "GUNICORN_"))}
    env.update(
        {
            "DATABASE_URL": os.environ.get(
                "DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/tracker_import_cost"
            ),
            "REDIS_URL": os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/10"),
            "DEBUG": "false",
            "SECRET_KEY": secrets.token_urlsafe(50),
            "ALLOWED_HOSTS": "127.0.0.1,localhost,testserver",
            "BENCH_FLOOR": "true",
            "LOG_LEVEL": "WARNING",
            "PYTHONPATH": f"{ROOT}:{ROOT / 'example_site'}",
            "DJANGO_SETTINGS_MODULE": "tracker_site.settings",
        }
    )
    env.pop("BENCH_CACHE", None)
    env.pop("PYTHONTRACEMALLOC", None)
    return env


# --------------------------------------------------------------------------- in the measured process
def load_site(stage: str) -> None:
    """Set Django up (``setup``); then the WSGI application and URLconf (``wsgi``); then what a
    worker imports on its first requests (``request``): the cache backend's client (redis-py,
    through django-redis) and a bearer token's check (PyJWT, through django-ninja-jwt), each
    imported when first used."""
    if stage == "setup":
        import django

        django.setup()
        return
    if stage == "request":
        import ninja_jwt.state  # noqa: F401  (PyJWT and its algorithms: a token's first check)
        from django.core.cache import caches

        caches["default"]  # the backend's class, imported on the cache's first use
        return
    from django.urls import resolve

    import tracker_site.wsgi  # noqa: F401  (the application: django.setup() and the middleware)

    resolve("/api/health/")  # imports the URLconf and its views, as the first request would


def rss_kb() -> dict[str, int]:
    status = Path("/proc/self/status").read_text()
    return {key: int(re.search(rf"^{key}:\s+(\d+) kB", status, re.M).group(1)) for key in ("VmRSS", "VmHWM")}


def measure_rss() -> dict[str, Any]:
    out: dict[str, Any] = {"start": rss_kb(), "modules_start": len(sys.modules)}
    for stage in STAGES:
        load_site(stage)
        out[stage] = rss_kb()
        out[f"modules_{stage}"] = len(sys.modules)
    return out


def trace_loads() -> None:
    """Run each module's load under a frame whose file is the module's own (its line number is
    SENTINEL_LINE), so that tracemalloc's tracebacks name the module the import system is
    loading when it allocates (code objects, the module object)."""
    import _frozen_importlib as bootstrap  # importlib._bootstrap, the import system itself
    import types

    namespace: dict[str, Any] = {}
    exec(
        compile("def load(load_unlocked, spec):\n    return load_unlocked(spec)\n", "<load>", "exec"),
        namespace,
    )
    template = namespace["load"].__code__.replace(co_firstlineno=SENTINEL_LINE - 1)
    original = bootstrap._load_unlocked

    def load_unlocked(spec: Any) -> Any:
        origin = spec.origin if spec.has_location and spec.origin else f"<module {spec.name}>"
        stand_in = types.FunctionType(template.replace(co_filename=origin), {})
        return stand_in(original, spec)

    bootstrap._load_unlocked = load_unlocked


def measure_tracemalloc(frames: int) -> dict[str, Any]:
    import tracemalloc

    tracemalloc.start(frames)
    trace_loads()
    out: dict[str, Any] = {}
    for stage in STAGES:
        load_site(stage)
        peak = tracemalloc.get_traced_memory()[1]
        out[stage] = by_package(tracemalloc.take_snapshot())
        out[stage]["peak"] = peak
        tracemalloc.reset_peak()  # the peak of the next stage, not of this one's counting
    return out


def by_package(snapshot: Any) -> dict[str, Any]:
    """The snapshot's traces summed by package, two ways: by the file that allocated ("file")
    and by the module being imported when it did ("import"; allocations made outside any import,
    such as Django's app registry after it imported the models, go by file there too). The
    measurement's own allocations (this script's frames) are left out."""
    import sysconfig
    import tracemalloc

    paths = sysconfig.get_paths()
    stdlibs = sorted({paths["stdlib"], paths["platstdlib"]})
    sources = sorted(str(p) for p in (ROOT / "packages").glob("*/src"))
    roots = sorted({paths["purelib"], paths["platlib"]}) + sources + [str(ROOT / "example_site")]
    cache: dict[str, str] = {}

    def package_of(filename: str) -> str:
        found = cache.get(filename)
        if found is not None:
            return found
        name = f"(other: {filename})"
        if filename.startswith("<module "):  # a built-in or frozen module, by its name
            top = filename[len("<module ") : -1].split(".")[0]
            name = STDLIB if top in sys.stdlib_module_names else top
        elif filename.startswith("<frozen "):
            name = STDLIB
        elif filename == "<string>":
            name = GENERATED
        else:
            for base in roots:
                if filename.startswith(base + os.sep):
                    first = filename[len(base) + 1 :].split(os.sep)[0]
                    name = first.split(".")[0]  # a module file: six.py, _cffi_backend.cpython-311-...so
                    break
            else:
                if any(filename.startswith(base + os.sep) for base in stdlibs):
                    name = STDLIB
        cache[filename] = name
        return name

    own_files = {__file__, tracemalloc.__file__}

    def owners(traceback: tuple[tuple[str, int], ...]) -> tuple[str | None, str | None, bool]:
        """(by file, by import, whether a module was being imported) for a raw traceback (the
        innermost frame first); (None, None, False) for the measurement's own."""
        if traceback[0][0] in own_files:
            return None, None, False
        owner = IMPORT_SYSTEM
        skipped = False
        for filename, lineno in traceback:
            if filename.startswith("<frozen importlib."):
                skipped = True
                continue
            if skipped and lineno < SENTINEL_LINE:
                break  # the import system working for this file's import (finding the module)
            owner = package_of(filename)
            break
        loading = next((f for f, lineno in traceback if lineno >= SENTINEL_LINE), None)
        return owner, (owner if loading is None else package_of(loading)), loading is not None

    by_file: dict[str, int] = {}
    by_import: dict[str, int] = {}
    own = truncated = 0
    seen: dict[int, tuple[str | None, str | None, bool]] = {}
    # the raw traces: (domain, size, traceback, frames in all); tracemalloc hands each distinct
    # traceback over as one tuple, so the attribution is worked out once per tuple
    for _, size, traceback, depth in snapshot.traces._traces:
        found = seen.get(id(traceback))
        if found is None:
            found = seen[id(traceback)] = owners(traceback)
        file_owner, import_owner, importing = found
        if file_owner is None or import_owner is None:
            own += size
            continue
        by_file[file_owner] = by_file.get(file_owner, 0) + size
        by_import[import_owner] = by_import.get(import_owner, 0) + size
        if not importing and depth > len(traceback):
            truncated += size  # deeper than the frames kept, no import among them: by file
    return {
        "total": sum(by_file.values()),
        "file": by_file,
        "import": by_import,
        "own": own,
        "truncated": truncated,
    }


def plain() -> None:
    """The program ``-X importtime`` times: every stage, nothing measured."""
    for stage in STAGES:
        load_site(stage)


# --------------------------------------------------------------------------- the report
def child(mode: str, *, importtime: bool = False, frames: int = 0) -> tuple[Any, str]:
    command = [sys.executable, *(["-X", "importtime"] if importtime else []), __file__, "--child", mode]
    if frames:
        command += ["--frames", str(frames)]
    done = subprocess.run(command, env=environment(), capture_output=True, text=True, cwd=ROOT)
    if done.returncode:
        raise SystemExit(f"{mode} failed:\n{done.stderr[-3000:]}")
    return (json.loads(done.stdout.strip().splitlines()[-1]) if done.stdout.strip() else None), done.stderr


IMPORTTIME_RE = re.compile(r"^import time:\s+(\d+) \|\s+(\d+) \|( *)(\S+)\s*$")


def parse_importtime(stderr: str) -> list[dict[str, Any]]:
    rows = []
    for line in stderr.splitlines():
        m = IMPORTTIME_RE.match(line)
        if m:
            rows.append(
                {
                    "self": int(m.group(1)),
                    "cumulative": int(m.group(2)),
                    "depth": len(m.group(3)) // 2,
                    "name": m.group(4),
                }
            )
    return rows


def top_level(module: str) -> str:
    top = module.split(".")[0]
    return STDLIB if top in sys.stdlib_module_names else top


def mb(kb: float) -> str:
    return f"{kb / 1024:.1f} MB"


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--top", type=int, default=15, help="entries of the import-time table")
    parser.add_argument("--packages", type=int, default=30, help="lines of the package table")
    parser.add_argument("--frames", type=int, default=16, help="tracemalloc frames kept a trace")
    parser.add_argument("--child", choices=["rss", "tracemalloc", "plain"], help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        run = {"rss": measure_rss, "tracemalloc": lambda: measure_tracemalloc(args.frames), "plain": plain}
        print(json.dumps(run[args.child]()))
        return

    rss, _ = child("rss")
    traced, _ = child("tracemalloc", frames=args.frames)
    _, stderr = child("plain", importtime=True)
    imports = parse_importtime(stderr)
    env = environment()
    print(f"Python {sys.version.split()[0]} ({sys.executable}); tracker_site.settings, DEBUG off,")
    print(f"DATABASE_URL={env['DATABASE_URL']}, REDIS_URL={env['REDIS_URL']} (neither connected to)")
    print()
    print("Resident memory (VmRSS) of a fresh process, without tracemalloc:")
    start = rss["start"]["VmRSS"]
    print(f"  at start (the interpreter and this script): {mb(start)}, {rss['modules_start']} modules")
    for stage in STAGES:
        now = rss[stage]["VmRSS"]
        print(
            f"  {STAGE_TITLES[stage]}: {mb(now)} (+{mb(now - start)}), "
            f"{rss[f'modules_{stage}']} modules; peak (VmHWM) {mb(rss[stage]['VmHWM'])}"
        )
    print()
    print(f"tracemalloc, held (allocated and not freed), {args.frames} frames a trace:")
    for stage in STAGES:
        t = traced[stage]
        print(
            f"  {STAGE_TITLES[stage]}: {mb(t['total'] / 1024)}, peak {mb(t['peak'] / 1024)} on the way"
            f" (besides the measurement's own {mb(t['own'] / 1024)};"
            f" {mb(t['truncated'] / 1024)} in traces deeper than the frames kept)"
        )
    self_us: dict[str, int] = {}
    for row in imports:
        key = top_level(row["name"])
        self_us[key] = self_us.get(key, 0) + row["self"]
    last = traced[STAGES[-1]]
    names = sorted(
        {name for stage in STAGES for way in ("file", "import") for name in traced[stage][way]},
        key=lambda n: -max(last["file"].get(n, 0), last["import"].get(n, 0)),
    )
    shown, rest = names[: args.packages], names[args.packages :]
    print()
    print(
        "By package, KB held: by file (the file that allocated) and by import (the module being "
        "imported then),\n"
        "each after django.setup(), with the WSGI app and URLconf too, and with what the first "
        "request imports;\nimport time: its modules' self time."
    )
    print()
    heads = [f"by {way}: {STAGE_COLUMNS[stage]}" for way in ("file", "import") for stage in STAGES]
    print("| package | " + " | ".join(heads) + " | import ms |")
    print("| --- |" + " ---: |" * (len(heads) + 1))

    def kb(value: int) -> str:
        return f"{value / 1024:,.0f}"

    columns = [traced[stage][way] for way in ("file", "import") for stage in STAGES]
    for name in shown:
        t = self_us.get(name)
        held = " | ".join(kb(c.get(name, 0)) for c in columns)
        print(f"| {name} | {held} | " + (f"{t / 1000:.1f}" if t is not None else "-") + " |")
    if rest:
        sums = " | ".join(kb(sum(c.get(n, 0) for n in rest)) for c in columns)
        print(f"| {len(rest)} more | {sums} | - |")
    total_ms = sum(r["self"] for r in imports) / 1000
    print(
        "| **total** | "
        + " | ".join(kb(traced[stage]["total"]) for _ in ("file", "import") for stage in STAGES)
        + f" | {total_ms:.0f} |"
    )
    print()
    print(
        f"python -X importtime of every stage: {len(imports)} modules, {total_ms:.0f} ms; "
        f"the top {args.top} by cumulative time (dots: nesting):"
    )
    print()
    print("| module | cumulative ms | self ms |")
    print("| --- | ---: | ---: |")
    for row in sorted(imports, key=lambda r: -r["cumulative"])[: args.top]:
        indent = ". " * row["depth"]
        print(f"| {indent}{row['name']} | {row['cumulative'] / 1000:.1f} | {row['self'] / 1000:.1f} |")


if __name__ == "__main__":
    main()
