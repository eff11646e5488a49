"""Production gunicorn settings for the example site: ``gunicorn -c example_site/gunicorn.conf.py``.

Threaded workers: a client that sends its request slowly (or never finishes its body) holds one
thread, not a whole worker, so a few slow clients cannot stall the site as they stall gunicorn's
default sync workers. Behind a buffering proxy (nginx with ``proxy_request_buffering on``, its
default) the proxy absorbs slow clients before they reach gunicorn at all.
"""

import multiprocessing
import os

chdir = os.path.dirname(os.path.abspath(__file__))
wsgi_app = "tracker_site.wsgi:application"
bind = os.environ.get("GUNICORN_BIND", "0.0.0.0:8000")
worker_class = "gthread"
workers = int(os.environ.get("GUNICORN_WORKERS", multiprocessing.cpu_count()))
threads = int(os.environ.get("GUNICORN_THREADS", "8"))
timeout = 30  # a worker stuck this long is restarted
graceful_timeout = 20
keepalive = 5
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


def child_exit(server: object, worker: object) -> None:
    """With PROMETHEUS_MULTIPROC_DIR set, a worker that exits stops counting in live gauges."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(worker.pid)  # type: ignore[attr-defined]
