"""Prometheus metrics of the tracker apps (prometheus-client).

Counters and histograms live in the default registry; the outbox gauge is computed from
the database when scraped. Under a multi-process server (gunicorn) set
``PROMETHEUS_MULTIPROC_DIR`` as prometheus-client documents.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator

from django.db.models import Count
from prometheus_client import REGISTRY, CollectorRegistry, Counter, Histogram, generate_latest, multiprocess
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

from .models import MailStatus, OutboundEmail

REQUESTS = Counter(
    "tracker_http_requests", "HTTP requests by route, method and status.", ["method", "route", "status"]
)
LATENCY = Histogram(
    "tracker_http_request_duration_seconds",
    "HTTP request duration by route.",
    ["method", "route"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5),
)
CACHE_LOOKUPS = Counter(
    "tracker_cache_lookups",
    "Cache lookups by what is cached (lists, task details, access) and result.",
    ["list", "result"],
)
JOB_RUNS = Counter("tracker_job_runs", "Scheduled job runs.", ["job"])
JOB_DURATION = Histogram(
    "tracker_job_duration_seconds",
    "Scheduled job duration.",
    ["job"],
    buckets=(0.1, 0.5, 1, 5, 15, 60, 300, 900),
)
JOB_ITEMS = Counter("tracker_job_items", "Items a job marked or mailed.", ["job", "kind"])
MAIL_EVENTS = Counter("tracker_mail_deliveries", "Outbox delivery attempts by outcome.", ["outcome"])


class OutboxCollector(Collector):
    """``tracker_outbox_messages{status}``: rows of the delivery log per status, at scrape time."""

    def describe(self) -> Iterator[Metric]:  # registration asks for names only: no query then
        yield GaugeMetricFamily("tracker_outbox_messages", "Outgoing messages by status.", labels=["status"])

    def collect(self) -> Iterator[Metric]:
        family = GaugeMetricFamily(
            "tracker_outbox_messages", "Outgoing messages by status.", labels=["status"]
        )
        counts = dict(
            OutboundEmail.objects.values_list("status").annotate(n=Count("id")).values_list("status", "n")
        )
        for status in MailStatus.values:
            family.add_metric([status], counts.get(status, 0))
        yield family


_outbox_collector = OutboxCollector()


def register_collectors() -> None:
    with contextlib.suppress(ValueError):  # registered already (tests, reloads)
        REGISTRY.register(_outbox_collector)


def exposition() -> bytes:
    """The metrics as Prometheus text. Under a multi-process server with
    ``PROMETHEUS_MULTIPROC_DIR`` set, every worker's counters summed (prometheus-client's
    multiprocess collector), not the one worker that answers the scrape."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)  # type: ignore[no-untyped-call]
        registry.register(_outbox_collector)
        return generate_latest(registry)
    register_collectors()
    return generate_latest(REGISTRY)
