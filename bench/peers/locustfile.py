"""The old tool's architecture, for `make bench-peers` (issue 16).

Locust users send each customer message to the widget API and wait for the
reply the way the Python Locust + Flask tool did (docs: VOYAGER.md): a
Flask receiver in the same process stores every webhook callback in a dict
under its per-turn key (`/responses/{uuid}_{turn}`), and the user polls that
dict every 0.5 s. The latency it reports is the time until its poll found the
reply, so it includes the polling delay.

bench/peers.go runs it headless against `voyplan sim` and reads the file
PEERS_TURNS: one JSON line per answered turn with the send time, the reported
latency and the simulator's own stamp of when it sent the callback.

Environment: PEERS_SCRIPT (the customer's lines, one a line), PEERS_TURNS
(where to write the turns), PEERS_MAX_TURNS, PEERS_REPLY_TIMEOUT (seconds).
"""

import json
import logging
import os
import threading
import time
import uuid

from flask import Flask, jsonify, request
from locust import HttpUser, events, task
from werkzeug.serving import make_server

POLL_INTERVAL = 0.5  # the old tool's
SCRIPT = [l for l in open(os.environ["PEERS_SCRIPT"], encoding="utf-8").read().splitlines() if l.strip()]
MAX_TURNS = int(os.environ.get("PEERS_MAX_TURNS", "14"))
REPLY_TIMEOUT = float(os.environ.get("PEERS_REPLY_TIMEOUT", "10"))
SENT_AT_HEADER = "X-Voyplan-Sim-Sent-At"

responses = {}  # per-turn key -> (callback JSON, simulator's sent-at stamp in ns)
turns = []  # (sent_at, reported_s, sim_sent_at_ns) of every answered turn
counts = {"send_errors": 0, "missing_replies": 0, "conversations": 0, "completed": 0}

app = Flask(__name__)


@app.route("/responses/<key>", methods=["POST"])
def receive(key):
    responses[key] = (request.get_json(silent=True), request.headers.get(SENT_AT_HEADER))
    return jsonify(status="received"), 200


# Not a log line per callback: the figures are of the architecture, not of
# werkzeug's request log.
logging.getLogger("werkzeug").setLevel(logging.WARNING)
server = make_server("127.0.0.1", 0, app, threaded=True)
PUBLIC = "http://127.0.0.1:%d" % server.server_port
threading.Thread(target=server.serve_forever, daemon=True).start()


def texts(payload):
    """The text items of a callback (media items are not text)."""
    if not isinstance(payload, dict):
        return []
    out = [m.get("text", "") for m in payload.get("messages") or [] if isinstance(m, dict)]
    for k in ("text", "content", "message"):
        if isinstance(payload.get(k), str):
            out.append(payload[k])
    return out


class Customer(HttpUser):
    @task
    def conversation(self):
        conv = str(uuid.uuid4())
        counts["conversations"] += 1
        for turn in range(min(MAX_TURNS, len(SCRIPT))):
            key = "%s_%d" % (conv, turn)
            body = {"type": "text", "text": SCRIPT[turn], "channelId": "68e4464832ec9940d9993a12",
                    "clientIdentifier": conv + "@stw.ai", "webhook": PUBLIC + "/responses/" + key}
            sent = time.time()
            with self.client.post("/v1/webhooks/widget", json=body, name="Voyager Message",
                                  catch_response=True) as r:
                if r.status_code not in (200, 201, 202):
                    r.failure("status %d" % r.status_code)
                    counts["send_errors"] += 1
                    return
            reply = self.wait(key, sent)
            if reply is None:
                counts["missing_replies"] += 1
                return
            if any("https://pay." in t for t in texts(reply)):
                counts["completed"] += 1
                return

    def wait(self, key, sent):
        """Polls the receiver's dict every 0.5 s, as the old tool did."""
        while time.time() - sent < REPLY_TIMEOUT:
            if key in responses:
                payload, stamp = responses.pop(key)
                reported = time.time() - sent
                events.request.fire(request_type="WEBHOOK", name="Voyager Webhook", response_time=reported * 1000,
                                    response_length=0, exception=None, context={})
                turns.append((sent, reported, int(stamp) if stamp else 0))
                return payload
            time.sleep(POLL_INTERVAL)
        return None


written = []


@events.quitting.add_listener
def dump(**_):
    """Writes the turns once, when Locust quits (test_stop may not come)."""
    if written:
        return
    written.append(True)
    with open(os.environ["PEERS_TURNS"], "w", encoding="utf-8") as f:
        f.write(json.dumps(counts) + "\n")
        for sent, reported, stamp in turns:
            f.write('{"sent_at":%.6f,"reported_s":%.6f,"sim_sent_at_ns":%d}\n' % (sent, reported, stamp))
