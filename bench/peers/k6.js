// The send half of a turn, for `make bench-peers` (issue 16): k6 cannot
// receive a webhook, so each VU POSTs the customer's lines to the widget API
// one after another, as fast as the answers (202) come, each with a webhook
// on bench/'s sink that says when it was sent (Date.now(), ms), so the sink
// can tell the true reply latency that k6 itself never sees. What k6 reports
// is http_req_duration: the time to the 202.
//
// Environment: PEERS_URL (the widget endpoint), PEERS_HOOK (the sink's base
// URL), PEERS_SCRIPT (the customer's lines), PEERS_USERS, PEERS_DURATION,
// PEERS_SUMMARY (where handleSummary writes k6's summary JSON).
import http from 'k6/http';

const lines = open(__ENV.PEERS_SCRIPT).split('\n').filter((l) => l.trim() !== '');

export const options = {
  vus: Number(__ENV.PEERS_USERS),
  duration: __ENV.PEERS_DURATION,
  discardResponseBodies: true,
  summaryTrendStats: ['avg', 'min', 'med', 'p(99)', 'max'],
};

const params = { headers: { 'Content-Type': 'application/json' } };

export default function () {
  const conv = `k6-${__VU}-${Math.floor(__ITER / lines.length)}`;
  const body = JSON.stringify({
    type: 'text',
    text: lines[__ITER % lines.length],
    channelId: '68e4464832ec9940d9993a12',
    clientIdentifier: `${conv}@stw.ai`,
    webhook: `${__ENV.PEERS_HOOK}/k6/${Date.now()}`,
  });
  http.post(__ENV.PEERS_URL, body, params);
}

export function handleSummary(data) {
  return { [__ENV.PEERS_SUMMARY]: JSON.stringify(data) };
}
