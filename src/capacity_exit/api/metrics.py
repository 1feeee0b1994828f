"""What /metrics reads of the credit-push queue at scrape time (core.metrics sources).

Core measures HTTP and the pool but imports no domain, so the domains' numbers are read
here, through the credit repository, once per scrape.
"""

from __future__ import annotations

from collections.abc import Iterable

from prometheus_client.core import GaugeMetricFamily, Metric

from capacity_exit.core import clock
from capacity_exit.core.db import Database
from capacity_exit.core.metrics import MetricSource
from capacity_exit.credit import repository, targets


async def read_credit_queue(database: Database) -> Iterable[Metric]:
    """Pushes waiting, and the age of the oldest, per target and status; zero for every
    configured target and waiting status that has none, so an alert sees 0, not nothing."""
    async with database.engine.connect() as connection:
        rows = await repository.queue_by_target_and_status(connection)
    now = clock.utcnow()
    found = {(target, status): (count, oldest) for target, status, count, oldest in rows}
    keys = {(t.code, s) for t in targets.configured() for s in repository.QUEUED} | set(found)
    depth = GaugeMetricFamily(
        "capexit_credit_pushes_queued",
        "Credit pushes waiting for the worker (pending, retrying, in_flight) or for an "
        "approver (dead), by target and status.",
        labels=["target", "status"],
    )
    age = GaugeMetricFamily(
        "capexit_credit_push_oldest_age_seconds",
        "Age of the oldest such push since it was created (0: none), by target and status.",
        labels=["target", "status"],
    )
    for target, status in sorted(keys):
        count, oldest = found.get((target, status), (0, None))
        depth.add_metric([target, status.value], count)
        waited = 0.0 if oldest is None else (now - clock.as_utc(oldest)).total_seconds()
        age.add_metric([target, status.value], max(0.0, waited))
    return [depth, age]


CREDIT_QUEUE = MetricSource("credit_queue", read_credit_queue)
