"""The gunicorn configuration of every server of bench/http_bench.py, passed with ``-c``.

Without ``-c`` gunicorn loads ``gunicorn.conf.py`` from its working directory after applying
``--chdir``, so ``--chdir example_site`` would pick up example_site/gunicorn.conf.py. Every
server of the benchmark is configured on its command line instead (``-k sync -w 2 --threads
1``), with one setting of the shipped file here: the master fixes glibc's mmap threshold
(``on_starting``, tracker_site/memory.py), so the workers' memory after the load is what a
deployed worker holds. The bare floor gets it too, so both run on the same allocator settings.
"""

import sys
from pathlib import Path

EXAMPLE_SITE = Path(__file__).resolve().parents[1] / "example_site"


def on_starting(server: object) -> None:
    sys.path.insert(0, str(EXAMPLE_SITE))
    from tracker_site.memory import return_large_blocks

    return_large_blocks()
