// voyplan live dashboard: follows a run over Server-Sent Events and draws
// it with report.html's own parts (window.voyplan, assets/report.js) — the
// charts, the requests, personas and thresholds tables, the transcripts —
// plus the steering controls and the webhook inspector. Text only: nothing
// from the run is ever inserted as HTML.
(function () {
  'use strict';

  var V = window.voyplan, el = V.dom.el, clear = V.dom.clear, F = V.format;
  var token = new URLSearchParams(location.search).get('token') || '';
  var $ = function (id) { return document.getElementById(id); };

  var samples = [], intervalMS = 1000;
  var callbacks = [], cbSize = 200, selectedCb = null;
  var selectedConv = null, selectedKey = '';
  var over = false;

  // ---- talking to the server ----

  function api(method, path, body) {
    return fetch(path, {
      method: method,
      headers: { 'X-Voyplan-Token': token, 'Content-Type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
      credentials: 'omit',
      cache: 'no-store'
    }).then(function (r) {
      return r.json().catch(function () { return {}; }).then(function (j) {
        if (!r.ok) throw new Error(j.error || 'HTTP ' + r.status);
        return j;
      });
    });
  }

  function connect() {
    var es = new EventSource('events?token=' + encodeURIComponent(token));
    es.addEventListener('state', function (ev) {
      var st = JSON.parse(ev.data);
      update(st);
      if (st.final) es.close();
    });
    es.onerror = function () {
      if (!over) setPhase('disconnected', 'reconnecting…');
    };
  }

  // ---- the state ----

  function update(st) {
    over = !!st.final;
    intervalMS = st.history.interval_ms;
    samples = samples.slice(0, st.history.from).concat(st.history.samples || []);
    if (st.callbacks) {
      cbSize = st.callbacks.size;
      var seen = callbacks.length ? callbacks[callbacks.length - 1].seq : 0; // a reconnected stream starts afresh
      callbacks = callbacks.concat((st.callbacks.items || []).filter(function (c) { return c.seq > seen; })).slice(-cbSize);
    }
    header(st);
    controls(st);
    kpis(st);
    sections(st);
    liveList(st);
    inspector(st);
  }

  function setPhase(phase, text) {
    var p = $('phase');
    p.className = 'phase ' + phase;
    p.textContent = text || phase;
  }

  function header(st) {
    var plan = st.plan, stage = plan.stages[st.stage] || {};
    document.title = 'voyplan · ' + plan.name + ' · live';
    $('title').textContent = 'voyplan · ' + plan.name;
    $('description').textContent = plan.description || '';
    clear($('meta'));
    [
      'stage ' + (st.stage + 1) + ' of ' + plan.stages.length + ': ' + (stage.name || '–') + ' (' + stageLoad(stage) + ')',
      'seed ' + plan.seed,
      'charts every ' + F.ms(intervalMS)
    ].forEach(function (m) { $('meta').appendChild(el('span', { text: m })); });
    $('clock').textContent = F.clock(st.elapsed_ms / 1000) + ' / ' + F.clock(st.planned_ms / 1000);
    $('progress').style.width = Math.min(100, st.planned_ms ? 100 * st.elapsed_ms / st.planned_ms : 0).toFixed(1) + '%';
    if (st.final) setPhase('over ' + st.final.verdict, 'over · ' + st.final.verdict.toUpperCase() + (st.final.interrupted ? ' · interrupted' : ''));
    else setPhase(st.phase);
  }

  // stageLoad is what a stage asks for: users (closed) or arrivals (open).
  function stageLoad(stage) {
    if (stage.arrival_rate != null) return F.num(stage.arrival_rate) + ' conversations/s arriving, up to ' + stage.max_users + ' in flight';
    return stage.users + ' users at ' + F.num(stage.spawn_rate) + '/s planned';
  }

  function controls(st) {
    $('users-active').textContent = st.metrics.users;
    $('users-target').textContent = st.target;
    $('stage-name').textContent = (st.plan.stages[st.stage] || {}).name || '–';
    var input = $('users-input');
    if (document.activeElement !== input && !input.dataset.edited) input.value = st.target;
    var live = st.phase === 'running' || st.phase === 'starting';
    var open = (st.plan.stages[0] || {}).arrival_rate != null; // arrivals at the plan's rate: no users to set
    $('set-users').disabled = !live || open;
    input.disabled = !live || open;
    $('stop').disabled = !(live || st.phase === 'draining');
    if (st.final) message('ok', st.final.line + ' — results in ' + st.final.results);
    var log = $('steering');
    clear(log);
    var steering = st.steering || [];
    if (!steering.length) log.appendChild(el('li', { class: 'muted', text: 'nothing yet: the run follows its plan' }));
    steering.forEach(function (s) {
      log.appendChild(el('li', { text: V.parts.steering([s]) + ' · stage ' + s.stage }));
    });
  }

  function message(kind, text) {
    var m = $('steer-msg');
    m.className = 'small ' + kind;
    m.textContent = text;
  }

  function kpis(st) {
    var m = st.metrics, c = m.conversations, r = m.reply, cost = m.cost;
    var bad = c.failed + c.abandoned;
    var k = function (id, label, value, sub, cls) {
      return el('div', { class: 'kpi' }, [el('h3', { text: label }), el('div', { class: 'v' + (cls ? ' ' + cls : ''), id: id, text: value }), el('div', { class: 's', text: sub || '' })]);
    };
    var box = $('kpis');
    clear(box);
    [
      k('kpi-users', 'Active users', F.num(m.users, 0), (st.plan.stages[st.stage] || {}).arrival_rate != null
        ? 'up to ' + st.target + ' in flight · ' + F.num(c.dropped || 0, 0) + ' dropped'
        : st.planned + ' planned · target ' + st.target, c.dropped ? 'bad' : ''),
      k('kpi-started', 'Conversations', F.num(c.started, 0), c.in_flight + ' in flight · ' + c.turns + ' turns'),
      k('kpi-completed', 'Completed', F.num(c.succeeded, 0), 'success rate ' + F.pct(c.success_rate), c.succeeded ? 'good' : ''),
      k('kpi-failed', 'Failed', F.num(bad, 0), c.failed + ' failed · ' + c.abandoned + ' abandoned · ' + c.interrupted + ' interrupted', bad ? 'bad' : ''),
      k('kpi-p95', 'Reply p95', r.count - r.failed + (r.censored || 0) > 0 ? F.ms(r.p95) : '–', 'p50 ' + F.ms(r.p50) + ' · p99 ' + F.ms(r.p99)),
      k('kpi-cost', 'LLM cost so far', F.usd(cost.usd), F.num(cost.input_tokens + cost.output_tokens + cost.thinking_tokens, 0) + ' tokens')
    ].forEach(function (n) { box.appendChild(n); });
  }

  // sections draws report.html's own parts from the live figures.
  function sections(st) {
    var summary = { metrics: st.metrics, thresholds: st.thresholds };
    var th = V.parts.thresholds(summary);
    var h2 = th.querySelector('h2');
    if (h2) h2.textContent = h2.textContent.replace(/^Thresholds/, 'Thresholds as they stand');
    replace('thresholds-slot', th);
    var timeline = V.parts.timeline({ summary: summary, history: { interval_ms: intervalMS, samples: samples } });
    replace('timeline-slot', timeline.node);
    timeline.draw();
    replace('requests-slot', V.parts.requests(summary));
    replace('personas-slot', V.parts.personas(summary));
  }

  function replace(slot, node) {
    var s = $(slot);
    clear(s);
    s.appendChild(node);
  }

  // ---- live conversations ----

  function convKey(c) { return c.id + ':' + c.turns + ':' + c.waiting + ':' + (c.outcome || ''); }

  function liveList(st) {
    var list = $('live-list'), convs = st.live.conversations || [];
    $('live-count').textContent = st.live.in_flight + ' in flight' + (convs.length > st.live.in_flight ? ' · the last ended ones below them' : '');
    clear(list);
    if (!convs.length) list.appendChild(el('div', { class: 'none', text: 'No conversation yet.' }));
    convs.forEach(function (c) {
      var tag = c.in_flight ? el('span', { class: 'tag inflight', text: c.waiting ? 'waiting for reply' : 'in flight' }) : el('span', { class: 'tag ' + c.outcome, text: c.outcome });
      list.appendChild(el('div', { class: 'item' + (c.id === selectedConv ? ' sel' : ''), 'data-id': c.id, onclick: function () { openConversation(c.id); } }, [
        el('div', { class: 'top' }, [el('span', { class: 'who', text: c.persona + ' · user ' + c.user }), tag]),
        el('div', { class: 'sub', text: c.turns + ' turns · ' + (c.last || '') })
      ]));
    });
    if (over) return; // the server closes after its last event: nothing more to fetch
    var sel = convs.filter(function (c) { return c.id === selectedConv; })[0];
    if (!selectedConv && convs.length && convs[0].in_flight) openConversation(convs[0].id);
    else if (sel && convKey(sel) !== selectedKey) fetchConversation(sel.id, convKey(sel));
  }

  function openConversation(id) {
    selectedConv = id;
    Array.prototype.forEach.call($('live-list').children, function (n) { n.classList.toggle('sel', n.getAttribute('data-id') === id); });
    fetchConversation(id, '');
  }

  function fetchConversation(id, key) {
    selectedKey = key;
    api('GET', 'api/conversations/' + encodeURIComponent(id)).then(function (c) {
      if (selectedConv !== id) return;
      var view = $('transcript'), top = view.scrollTop, atEnd = view.scrollHeight - view.clientHeight - top < 40;
      V.parts.transcript(view, c);
      view.scrollTop = atEnd ? view.scrollHeight : top;
      if (!key) selectedKey = convKey({ id: c.id, turns: (c.turns || []).length, waiting: !!c.waiting, outcome: c.outcome });
    }).catch(function (e) {
      var view = $('transcript');
      clear(view);
      view.appendChild(el('div', { class: 'note bad', text: e.message }));
    });
  }

  // ---- the webhook inspector ----

  // refusedNote says what the receiver turned away (a flood from the
  // internet, bad signatures, ...): counted, never shown as callbacks.
  var refusedNote = '';

  function inspector(st) {
    if (!st.callbacks) {
      $('cb-count').textContent = 'this protocol has no webhook';
      return;
    }
    var w = (st.metrics && st.metrics.webhook) || {};
    var by = w.refused_by || {};
    refusedNote = w.refused ? ' · ' + F.num(w.refused, 0) + ' refused (' + Object.keys(by).filter(function (k) { return by[k]; }).map(function (k) { return k + ' ' + F.num(by[k], 0); }).join(', ') + ')' : '';
    drawCallbacks();
  }

  function drawCallbacks() {
    var q = $('cb-filter').value.trim().toLowerCase();
    var shown = callbacks.filter(function (c) { return !q || (c.conversation || '').toLowerCase().indexOf(q) >= 0; }).reverse();
    $('cb-count').textContent = (callbacks.length < cbSize ? callbacks.length + ' callbacks received' : 'the last ' + cbSize + ' callbacks received') + (q ? ' · ' + shown.length + ' match' : '') + refusedNote;
    var rows = $('cb-rows');
    clear(rows);
    if (!shown.length) rows.appendChild(el('tr', null, el('td', { colspan: 7, class: 'none muted', text: callbacks.length ? 'No callback matches.' : 'No callback yet.' })));
    shown.forEach(function (c) {
      var conv = el('a', { class: 'conv', title: c.conversation, text: (c.conversation || '–').slice(0, 8), onclick: function (ev) {
        ev.stopPropagation();
        $('cb-filter').value = c.conversation;
        drawCallbacks();
        openConversation(c.conversation);
      } });
      rows.appendChild(el('tr', { class: c.seq === selectedCb ? 'sel' : null, 'data-seq': c.seq, onclick: function () { selectCallback(c); } }, [
        el('td', { class: 'mono', text: clockOf(c.at) }),
        el('td', null, conv),
        el('td', { class: 'n', text: c.turn }),
        el('td', { class: 'n', text: c.status }),
        el('td', null, el('span', { class: 'tag ' + c.disposition, text: c.disposition })),
        el('td', { class: 'n', text: c.latency_ms === null || c.latency_ms === undefined ? '–' : F.ms(c.latency_ms) }),
        el('td', { class: 'n', text: F.num(c.size, 0) + ' B' })
      ]));
    });
    if (selectedCb === null && shown.length) selectCallback(shown[0]);
  }

  function clockOf(iso) {
    var d = new Date(iso);
    return isNaN(d) ? '' : d.toTimeString().slice(0, 8) + '.' + String(d.getMilliseconds()).padStart(3, '0');
  }

  function selectCallback(c) {
    selectedCb = c.seq;
    Array.prototype.forEach.call($('cb-rows').children, function (n) { n.classList.toggle('sel', n.getAttribute('data-seq') === String(c.seq)); });
    var d = $('cb-detail');
    clear(d);
    d.appendChild(el('div', { class: 'line1' }, [
      el('b', { text: c.method + ' · turn ' + c.turn + ' · HTTP ' + c.status + ' ' }),
      el('span', { class: 'tag ' + c.disposition, text: c.disposition })
    ]));
    d.appendChild(el('div', { class: 'muted small', text: V.format.time(c.at) + (c.latency_ms !== null && c.latency_ms !== undefined ? ' · ' + F.ms(c.latency_ms) + ' after the message was sent' : '') }));
    d.appendChild(el('div', { class: 'muted small mono', text: 'conversation ' + (c.conversation || '–') }));
    d.appendChild(el('h4', { text: 'Headers' }));
    d.appendChild(el('table', null, el('tbody', null, Object.keys(c.headers || {}).sort().map(function (h) {
      return el('tr', null, [el('td', { text: h }), el('td', { class: 'mono', text: c.headers[h] })]);
    }))));
    d.appendChild(el('h4', { text: 'Body' + (c.truncated ? ' (first ' + F.num(c.body.length, 0) + ' of ' + F.num(c.size, 0) + ' bytes)' : '') }));
    d.appendChild(el('pre', { id: 'cb-body', text: c.body || '(empty)' }));
  }

  // ---- steering ----

  $('users-input').addEventListener('input', function () { this.dataset.edited = '1'; });
  $('users-input').addEventListener('keydown', function (ev) { if (ev.key === 'Enter') setUsers(); });
  $('set-users').addEventListener('click', setUsers);
  $('stop').addEventListener('click', stopRun);
  $('cb-filter').addEventListener('input', drawCallbacks);

  function setUsers() {
    var input = $('users-input'), n = Number(input.value);
    if (input.value === '' || !Number.isInteger(n) || n < 0) {
      message('err', 'Target users must be a whole number, 0 or more.');
      return;
    }
    $('set-users').disabled = true;
    api('POST', 'api/users', { users: n }).then(function (s) {
      delete input.dataset.edited;
      message('ok', 'Target ' + s.from + ' → ' + s.to + ' users in stage ' + s.stage + ': users are ' + (s.to >= s.from ? 'started' : 'retired') + ' at the stage\'s spawn rate.');
    }).catch(function (e) {
      message('err', e.message);
    }).then(function () {
      $('set-users').disabled = false;
    });
  }

  function stopRun() {
    $('stop').disabled = true;
    api('POST', 'api/stop').then(function () {
      message('ok', 'Stopping: no conversation starts any more; the turns in flight finish, then the results are written.');
      setPhase('stopping');
    }).catch(function (e) {
      message('err', e.message);
      $('stop').disabled = false;
    });
  }

  if (!token) {
    setPhase('disconnected', 'no token');
    message('err', 'Open the dashboard with the URL voyplan printed: it carries the token.');
    return;
  }
  connect();
})();
