"""Production gunicorn settings for the example site: ``gunicorn -c example_site/gunicorn.conf.py``.

gunicorn runs behind nginx (``example_site/deploy/nginx/``), never facing clients itself, and
binds to loopback unless ``GUNICORN_BIND`` says otherwise. nginx reads each request whole
before it passes it on and holds slow or stalled clients itself, at the cost of a connection
each; gunicorn then only ever sees complete requests, one connection per request.

Sync workers, one per core: each answers one request at a time, the rest wait in the listen
queue in arrival order. Behind nginx they gave more requests per second and a lower p99 than
threaded workers (whose threads share one interpreter lock per process and take turns
unfairly); facing clients directly no worker class held (stalled clients tie up a sync worker
each, or a thread each). The figures and the method are in docs/performance.md ("The web front") and
``bench/server_setups.py``.
"""

import multiprocessing
import os

chdir = os.path.dirname(os.path.abspath(__file__))
wsgi_app = "tracker_site.wsgi:application"
bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
worker_class = "sync"
workers = int(os.environ.get("GUNICORN_WORKERS", multiprocessing.cpu_count()))
timeout = 30  # a worker stuck this long is restarted (nginx waits 35 s: proxy_read_timeout)
graceful_timeout = 20
# Requests gunicorn refuses itself, before Django and so without the API's error envelope (an
# HTML 400/414/431 page): a request line over 8190 bytes, a header over 8190 bytes, more than
# 100 headers. 8190 is the most gunicorn accepts short of "no limit" (its default request line
# is 4094, which cut off long query strings Django would answer with its own 400 or 422), and
# what nginx's default large_client_header_buffers (8k) lets through in front of it.
limit_request_line = 8190
limit_request_field_size = 8190
limit_request_fields = 100
# access lines with "<redacted>" for invitation and unsubscribe tokens in the path and for
# token=/code= query fields (tracker_site/gunicorn_logging.py); loaded once chdir is on sys.path
logger_class = "tracker_site.gunicorn_logging.RedactingLogger"


def on_starting(server: object) -> None:
    """In the master, before the workers are forked: blocks of 4 MiB and more (a login's
    Argon2 hash) go back to the system when freed, instead of staying in each worker's heap
    (tracker_site/memory.py)."""
    from tracker_site.memory import return_large_blocks

    return_large_blocks()


def post_worker_init(worker: object) -> None:
    """In each worker, once it has loaded the application: the objects loaded so far are left
    out of the garbage collector's full passes, which would otherwise walk all of them every
    few hundred requests, a pause of up to 100 ms (tracker_site/collector.py)."""
    from tracker_site.collector import freeze_loaded_objects

    freeze_loaded_objects()


def child_exit(server: object, worker: object) -> None:
    """With PROMETHEUS_MULTIPROC_DIR set, a worker that exits stops counting in live gauges."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(worker.pid)  # type: ignore[attr-defined]
