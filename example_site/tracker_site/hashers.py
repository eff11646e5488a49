"""Argon2 sized for a web worker.

Django's ``Argon2PasswordHasher`` uses 100 MiB of memory per hash: with a few threads per
worker, logins alone can lift a worker by hundreds of MB. This hasher uses OWASP's minimum for
argon2id (19 MiB, 2 iterations, 1 lane). Its algorithm name is Django's (``argon2``), so hashes
made with other parameters still verify and are rehashed with these at the next login (Django's
``must_update``). Tune it by changing the three numbers (memory in KiB).
"""

from __future__ import annotations

from django.contrib.auth.hashers import Argon2PasswordHasher


class WorkerArgon2PasswordHasher(Argon2PasswordHasher):
    memory_cost = 19 * 1024  # KiB
    time_cost = 2
    parallelism = 1
