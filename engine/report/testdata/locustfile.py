# A tiny Locust user for report's anchor test (locust_test.go): one endpoint
# that answers, one that fails, so stats.csv, stats_history.csv and
# failures.csv all have rows, and every user waits before its first request
# so the history also has rows from before any request (N/A percentiles).
import locust.stats
from locust import HttpUser, constant, task

# Flush the CSV files every second, not every ten, so a short run leaves a
# history with several rows.
locust.stats.CSV_STATS_FLUSH_INTERVAL_SEC = 0


class Customer(HttpUser):
    wait_time = constant(0.05)

    def on_start(self):
        import gevent

        gevent.sleep(1.5)

    @task
    def ok(self):
        self.client.get("/ok")

    @task
    def bad(self):
        self.client.get("/bad")
