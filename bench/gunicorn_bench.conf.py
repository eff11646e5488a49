"""The gunicorn configuration of every server of bench/http_bench.py, passed with ``-c``.

Without ``-c`` gunicorn loads ``gunicorn.conf.py`` from its working directory after applying
``--chdir``, so ``--chdir example_site`` would pick up example_site/gunicorn.conf.py. Every
server of the benchmark is configured on its command line instead (``-k sync -w 2 --threads
1``), with two settings of the shipped file here: the master fixes glibc's mmap threshold
(``on_starting``, tracker_site/memory.py), so the workers' memory after the load is what a
deployed worker holds, and each worker freezes the objects it loaded at start out of the garbage
collector's full passes (``post_worker_init``, tracker_site/collector.py). The bare floor gets
both too, so every server runs on the same allocator and collector settings.
"""

import sys
from pathlib import Path

EXAMPLE_SITE = Path(__file__).resolve().parents[1] / "example_site"


def on_starting(server: object) -> None:
    sys.path.insert(0, str(EXAMPLE_SITE))
    from tracker_site.memory import return_large_blocks

    return_large_blocks()


def post_worker_init(worker: object) -> None:
    from tracker_site.collector import freeze_loaded_objects

    freeze_loaded_objects()
