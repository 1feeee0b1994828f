"""What /metrics reads of the periodic jobs at scrape time (core.metrics sources).

Workers are processes of their own, without an HTTP port: their runs are read from the
`periodic_jobs` table by the API process that answers the scrape, which is right however
many workers there are and whichever of them ran a job.
"""

from __future__ import annotations

from collections.abc import Iterable

from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric

from capacity_exit.core.clock import as_utc
from capacity_exit.core.db import Database
from capacity_exit.core.metrics import MetricSource
from capacity_exit.worker import repository


async def read_periodic_jobs(database: Database) -> Iterable[Metric]:
    runs = CounterMetricFamily(
        "capexit_periodic_job_runs",
        "Finished runs of each periodic job, across all workers, by outcome.",
        labels=["job", "outcome"],
    )
    last_success = GaugeMetricFamily(
        "capexit_periodic_job_last_success_timestamp_seconds",
        "When a periodic job's last successful run finished (Unix time).",
        labels=["job"],
    )
    for job in await repository.every_state(database):
        runs.add_metric([job.name, "succeeded"], job.runs - job.failures)
        runs.add_metric([job.name, "failed"], job.failures)
        if job.last_succeeded_at is not None:
            last_success.add_metric([job.name], as_utc(job.last_succeeded_at).timestamp())
    return [runs, last_success]


PERIODIC_JOBS = MetricSource("periodic_jobs", read_periodic_jobs)
