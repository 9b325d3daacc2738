# A tiny Locust user for report's anchor test (locust_test.go): one endpoint
# that answers, one that fails, so stats.csv, stats_history.csv and
# failures.csv all have rows. Every user waits before its first request, so
# the history starts with rows from before any request (N/A percentiles).
#
# The run ends itself once it has what the test needs — requests of both
# kinds over at least 3 s, so the history (written every second) has timed
# rows too — however slowly a loaded machine starts it; the test's
# --run-time bounds it if that never comes.
import time

import gevent
import locust.stats
from locust import HttpUser, constant, events, task

# Flush the CSV files every second, not every ten, so a short run leaves a
# history with several rows.
locust.stats.CSV_STATS_FLUSH_INTERVAL_SEC = 0


@events.init.add_listener
def _stop_when_enough(environment, **_kwargs):
    def watch():
        first = None
        while True:
            gevent.sleep(0.2)
            total = environment.stats.total
            if total.num_requests == 0:
                continue
            first = first or time.monotonic()
            if total.num_failures > 0 and total.num_requests > total.num_failures and time.monotonic() - first >= 3:
                environment.runner.quit()
                return

    gevent.spawn(watch)


class Customer(HttpUser):
    wait_time = constant(0.05)

    def on_start(self):
        gevent.sleep(1.5)

    @task
    def ok(self):
        self.client.get("/ok")

    @task
    def bad(self):
        self.client.get("/bad")
