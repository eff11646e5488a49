"""Give large freed blocks back to the system (glibc's ``mallopt``), for gunicorn's workers.

glibc serves a block of ``M_MMAP_THRESHOLD`` bytes or more with its own mapping, unmapped when
freed. Below that the block comes from the heap and stays resident after it is freed. The
threshold starts at 128 KiB and rises to the size of each mapped block freed, up to 32 MiB:
after one login, the 19 MiB of an Argon2 hash (``tracker_site.hashers``) come from the heap
and every worker keeps them for good. A fixed threshold stops that rise (glibc's documented
behaviour), so blocks of 4 MiB and more are mapped, and unmapped when freed, every time.

Called from ``gunicorn.conf.py`` in gunicorn's master: workers are forked from it and inherit
the setting. Elsewhere (musl, macOS) it does nothing.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import platform

M_MMAP_THRESHOLD = -3  # mallopt's parameter number, from glibc's <malloc.h>
LARGE_BLOCK = 4 * 1024 * 1024


def return_large_blocks(threshold: int = LARGE_BLOCK) -> bool:
    """Fix glibc's mmap threshold at ``threshold`` bytes; ``False`` where the C library is
    not glibc or refuses the value."""
    if platform.libc_ver()[0] != "glibc":
        return False
    libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
    return bool(libc.mallopt(M_MMAP_THRESHOLD, threshold))
