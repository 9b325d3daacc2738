// voyplan report: renders a run from one JSON document,
//   {summary, history, histograms, conversations, conversations_total}
// (engine/report.Data), with no library and no network. The charts are
// plain SVG. Everything is exposed on window.voyplan so a live view (the
// dashboard of `voyplan apply --ui`) draws the same shape with the same
// code as it changes:
//   voyplan.render(rootElement, data)
//   voyplan.charts.line(el, {series, xFormat, yFormat})
//   voyplan.charts.bars(el, {bins, over, format})
//   voyplan.parts.timeline(data) → {node, draw}: the four charts over time
//   voyplan.parts.requests(summary), .personas(summary), .thresholds(summary)
//   voyplan.parts.transcript(viewElement, conversation): one chat; a
//     conversation in flight has no outcome and may be `waiting` for a reply
//   voyplan.dom.el(tag, attrs, children), voyplan.dom.clear(element)
(function (global) {
  'use strict';

  var SVGNS = 'http://www.w3.org/2000/svg';
  var PALETTE = ['#2563eb', '#16a34a', '#dc2626', '#f59e0b', '#7c3aed', '#0891b2'];

  // ---- DOM helpers: text only, never HTML from the data ----

  function el(tag, attrs, children) {
    var e = document.createElement(tag);
    setAttrs(e, attrs);
    append(e, children);
    return e;
  }

  function svg(tag, attrs, children) {
    var e = document.createElementNS(SVGNS, tag);
    setAttrs(e, attrs);
    append(e, children);
    return e;
  }

  function setAttrs(e, attrs) {
    if (!attrs) return;
    Object.keys(attrs).forEach(function (k) {
      var v = attrs[k];
      if (v === undefined || v === null || v === false) return;
      if (k === 'text') e.textContent = String(v);
      else if (k === 'onclick' || k === 'oninput' || k === 'onchange') e.addEventListener(k.slice(2), v);
      else e.setAttribute(k, String(v));
    });
  }

  function append(e, children) {
    if (children === undefined || children === null) return;
    if (!Array.isArray(children)) children = [children];
    children.forEach(function (c) {
      if (c === undefined || c === null || c === false) return;
      e.appendChild(typeof c === 'string' || typeof c === 'number' ? document.createTextNode(String(c)) : c);
    });
  }

  function clear(e) {
    while (e.firstChild) e.removeChild(e.firstChild);
  }

  // ---- formats ----

  function fmtMs(ms) {
    if (ms === null || ms === undefined || isNaN(ms)) return '–';
    if (ms === 0) return '0';
    if (ms >= 60000) return (ms / 60000).toFixed(1).replace(/\.0$/, '') + ' min';
    if (ms >= 1000) return (ms / 1000).toFixed(ms >= 10000 ? 1 : 2).replace(/\.?0+$/, '') + ' s';
    if (ms >= 100) return ms.toFixed(0) + ' ms';
    if (ms >= 1) return ms.toFixed(1).replace(/\.0$/, '') + ' ms';
    return ms.toFixed(2) + ' ms';
  }

  function fmtNum(n, digits) {
    if (n === null || n === undefined || isNaN(n)) return '–';
    if (Math.abs(n) >= 1000) return Math.round(n).toLocaleString('en-US');
    var d = digits === undefined ? 2 : digits;
    return String(Number(n.toFixed(d)));
  }

  function fmtPct(f) {
    if (f === null || f === undefined || isNaN(f)) return '–';
    return (f * 100).toFixed(1) + '%';
  }

  function fmtUsd(v) {
    if (!v) return '$0';
    return '$' + String(Number(v < 0.01 ? v.toPrecision(3) : v < 10 ? v.toFixed(3) : v.toFixed(2)));
  }

  function fmtClock(sec) {
    sec = Math.round(sec);
    var m = Math.floor(sec / 60), s = sec % 60;
    if (m >= 60) return Math.floor(m / 60) + 'h' + String(m % 60).padStart(2, '0');
    return m + ':' + String(s).padStart(2, '0');
  }

  function fmtTime(iso) {
    if (!iso) return '';
    var d = new Date(iso);
    if (isNaN(d)) return iso;
    return d.toISOString().replace('T', ' ').replace(/\.\d+Z$/, ' UTC');
  }

  function hhmmss(iso) {
    var d = new Date(iso);
    return isNaN(d) ? '' : d.toISOString().slice(11, 19);
  }

  // ---- scales ----

  // niceTicks returns about n round values covering [lo, hi].
  function niceTicks(lo, hi, n) {
    if (!(hi > lo)) hi = lo + 1;
    var raw = (hi - lo) / Math.max(n, 1);
    var p = Math.pow(10, Math.floor(Math.log10(raw)));
    var step = [1, 2, 2.5, 5, 10].map(function (m) { return m * p; }).find(function (s) { return s >= raw; });
    var start = Math.floor(lo / step) * step, ticks = [];
    for (var v = start; v <= hi + step * 1e-9; v += step) ticks.push(Number(v.toPrecision(12)));
    if (ticks[ticks.length - 1] < hi) ticks.push(Number((ticks[ticks.length - 1] + step).toPrecision(12)));
    return ticks;
  }

  // timeTicks returns about n ticks over [lo, hi] seconds on round clock
  // steps (5 s, 15 s, 1 min, 5 min, ...).
  function timeTicks(lo, hi, n) {
    var steps = [1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 14400, 43200, 86400];
    var raw = (hi - lo) / Math.max(n, 1);
    var step = steps.find(function (s) { return s >= raw; }) || steps[steps.length - 1];
    var ticks = [];
    for (var v = Math.ceil(lo / step) * step; v <= hi + 1e-9; v += step) ticks.push(v);
    return ticks;
  }

  function scale(d0, d1, r0, r1) {
    var k = d1 === d0 ? 0 : (r1 - r0) / (d1 - d0);
    return function (v) { return r0 + (v - d0) * k; };
  }

  // ---- charts ----

  var W = 640, H = 250, M = { l: 56, r: 14, t: 10, b: 28 };

  // line draws series of [x, y] points (y null: a gap) as an SVG line chart
  // with axes, a legend and a hover read-out. opts: {series: [{name, color,
  // points}], xFormat, yFormat, yMin}.
  function line(container, opts) {
    clear(container);
    container.classList.add('chart');
    var series = (opts.series || []).map(function (s, i) {
      return { name: s.name, color: s.color || PALETTE[i % PALETTE.length], points: s.points || [] };
    });
    var xs = [], ys = [];
    series.forEach(function (s) {
      s.points.forEach(function (p) {
        xs.push(p[0]);
        if (p[1] !== null && p[1] !== undefined && isFinite(p[1])) ys.push(p[1]);
      });
    });
    append(container, legend(series));
    var root = svg('svg', { viewBox: '0 0 ' + W + ' ' + H, role: 'img', 'aria-label': opts.title || 'chart' });
    container.appendChild(root);
    if (!xs.length || !ys.length) {
      root.appendChild(svg('text', { x: W / 2, y: H / 2, 'text-anchor': 'middle', class: 'empty', text: 'no data yet' }));
      return root;
    }
    var xFmt = opts.xFormat || String, yFmt = opts.yFormat || fmtNum;
    var xmin = Math.min.apply(null, xs.concat(opts.xMin === undefined ? [] : [opts.xMin])), xmax = Math.max.apply(null, xs);
    var yTicks = niceTicks(Math.min(opts.yMin === undefined ? 0 : opts.yMin, Math.min.apply(null, ys)), Math.max.apply(null, ys), 5);
    var x = scale(xmin, xmax === xmin ? xmin + 1 : xmax, M.l, W - M.r);
    var y = scale(yTicks[0], yTicks[yTicks.length - 1], H - M.b, M.t);
    var xTicks = opts.timeAxis ? timeTicks(xmin, xmax, 6) : niceTicks(xmin, xmax, 6).filter(function (t) { return t >= xmin && t <= xmax; });
    axes(root, xTicks, yTicks, x, y, xFmt, yFmt);
    series.forEach(function (s) {
      pathsOf(s.points, x, y).forEach(function (d) {
        root.appendChild(svg('path', { d: d, fill: 'none', stroke: s.color, 'stroke-width': 2, 'stroke-linejoin': 'round', class: 'series' }));
      });
      s.points.forEach(function (p) {
        if (p[1] === null || p[1] === undefined) return;
        root.appendChild(svg('circle', { cx: x(p[0]).toFixed(1), cy: y(p[1]).toFixed(1), r: 2.2, fill: s.color, class: 'dot' }));
      });
    });
    hover(container, root, series, x, y, xFmt, yFmt);
    return root;
  }

  function legend(series) {
    if (series.length < 2) return null;
    return el('div', { class: 'legend' }, series.map(function (s) {
      var sw = el('i');
      sw.style.background = s.color;
      return el('span', null, [sw, s.name]);
    }));
  }

  function axes(root, xTicks, yTicks, x, y, xFmt, yFmt) {
    var g = svg('g', { class: 'axis' });
    yTicks.forEach(function (t) {
      g.appendChild(svg('line', { x1: M.l, x2: W - M.r, y1: y(t).toFixed(1), y2: y(t).toFixed(1), class: 'gridline' }));
      g.appendChild(svg('text', { x: M.l - 6, y: (y(t) + 3.5).toFixed(1), 'text-anchor': 'end', text: yFmt(t) }));
    });
    xTicks.forEach(function (t) {
      g.appendChild(svg('text', { x: x(t).toFixed(1), y: H - M.b + 16, 'text-anchor': 'middle', text: xFmt(t) }));
    });
    g.appendChild(svg('line', { x1: M.l, x2: W - M.r, y1: H - M.b, y2: H - M.b }));
    root.appendChild(g);
  }

  // pathsOf splits a series at its gaps into SVG path data.
  function pathsOf(points, x, y) {
    var out = [], cur = '';
    points.forEach(function (p) {
      if (p[1] === null || p[1] === undefined || !isFinite(p[1])) {
        if (cur) out.push(cur);
        cur = '';
        return;
      }
      cur += (cur ? 'L' : 'M') + x(p[0]).toFixed(1) + ',' + y(p[1]).toFixed(1);
    });
    if (cur) out.push(cur);
    return out;
  }

  function hover(container, root, series, x, y, xFmt, yFmt) {
    var tip = el('div', { class: 'tip' });
    container.appendChild(tip);
    var cursor = svg('line', { y1: M.t, y2: H - M.b, class: 'cursor', visibility: 'hidden' });
    root.appendChild(cursor);
    var xsAll = series[0].points.map(function (p) { return p[0]; });
    root.addEventListener('mousemove', function (ev) {
      var box = root.getBoundingClientRect();
      var vx = (ev.clientX - box.left) * W / box.width;
      var best = 0;
      xsAll.forEach(function (v, i) { if (Math.abs(x(v) - vx) < Math.abs(x(xsAll[best]) - vx)) best = i; });
      var at = xsAll[best];
      cursor.setAttribute('x1', x(at));
      cursor.setAttribute('x2', x(at));
      cursor.setAttribute('visibility', 'visible');
      clear(tip);
      tip.appendChild(el('b', { text: xFmt(at) }));
      series.forEach(function (s) {
        var p = s.points[best];
        var sw = el('i');
        sw.style.background = s.color;
        tip.appendChild(el('div', null, [sw, s.name + ': ' + (p && p[1] !== null && p[1] !== undefined ? yFmt(p[1]) : '–')]));
      });
      tip.style.display = 'block';
      var left = x(at) * box.width / W + 12;
      tip.style.left = Math.min(left, box.width - tip.offsetWidth - 4) + 'px';
      tip.style.top = '24px';
    });
    root.addEventListener('mouseleave', function () {
      tip.style.display = 'none';
      cursor.setAttribute('visibility', 'hidden');
    });
  }

  // bars draws a histogram: opts.bins [{lo, hi, n}], opts.over (count above
  // the last bin), opts.marks [{name, at}] drawn as vertical lines.
  function bars(container, opts) {
    clear(container);
    container.classList.add('chart');
    var bins = opts.bins || [];
    var root = svg('svg', { viewBox: '0 0 ' + W + ' ' + H, role: 'img', 'aria-label': opts.title || 'histogram' });
    container.appendChild(root);
    if (!bins.length) {
      root.appendChild(svg('text', { x: W / 2, y: H / 2, 'text-anchor': 'middle', class: 'empty', text: 'no samples' }));
      return root;
    }
    var fmt = opts.format || fmtMs, over = opts.over || 0;
    var slots = bins.length + (over ? 1 : 0);
    var top = Math.max.apply(null, bins.map(function (b) { return b.n; }).concat([over]));
    var yTicks = niceTicks(0, top, 4);
    var y = scale(0, yTicks[yTicks.length - 1], H - M.b, M.t);
    var bw = (W - M.l - M.r) / slots;
    var xOf = function (i) { return M.l + i * bw; };
    var step = Math.max(1, Math.ceil(slots / 7));
    var xTicks = [];
    for (var i = 0; i <= bins.length; i += step) xTicks.push(i);
    axes(root, xTicks, yTicks, xOf, y, function (i) { return i < bins.length ? fmt(bins[i].lo) : fmt(bins[bins.length - 1].hi); }, function (v) { return fmtNum(v, 0); });
    var color = opts.color || PALETTE[0];
    bins.forEach(function (b, i) {
      if (!b.n) return;
      root.appendChild(svg('rect', { x: (xOf(i) + 0.5).toFixed(1), y: y(b.n).toFixed(1), width: Math.max(bw - 1, 1).toFixed(1),
        height: (H - M.b - y(b.n)).toFixed(1), fill: color, class: 'bar' }, svg('title', { text: fmt(b.lo) + ' – ' + fmt(b.hi) + ': ' + b.n })));
    });
    if (over) {
      root.appendChild(svg('rect', { x: (xOf(bins.length) + 0.5).toFixed(1), y: y(over).toFixed(1), width: Math.max(bw - 1, 1).toFixed(1),
        height: (H - M.b - y(over)).toFixed(1), fill: PALETTE[2], class: 'bar' }, svg('title', { text: '> ' + fmt(bins[bins.length - 1].hi) + ': ' + over })));
    }
    (opts.marks || []).forEach(function (m) {
      var lo = bins[0].lo, hi = bins[bins.length - 1].hi;
      if (!(m.at >= lo && m.at <= hi)) return;
      var mx = M.l + (m.at - lo) / (hi - lo) * bins.length * bw;
      root.appendChild(svg('line', { x1: mx, x2: mx, y1: M.t, y2: H - M.b, stroke: PALETTE[3], 'stroke-dasharray': '4 3' }));
      var right = mx > W - M.r - 90;
      root.appendChild(svg('text', { x: right ? mx - 3 : mx + 3, y: M.t + 10, 'text-anchor': right ? 'end' : 'start', class: 'label', text: m.name + ' ' + fmt(m.at) }));
    });
    return root;
  }

  // ---- the data shape → series ----

  // RATE_WINDOW_MS is the window of the conversation counts: each point is
  // what happened in the minute up to it — a count, never one short interval
  // extrapolated to a rate (which made the first seconds of a ramp look like
  // a spike).
  var RATE_WINDOW_MS = 60000;

  // series turns history samples into the chart series of the report.
  function seriesOf(history) {
    var samples = (history && history.samples) || [];
    var t = function (s) { return s.elapsed_ms / 1000; };
    // perMin counts the events, count(s) each, of the intervals that end
    // within the minute up to sample i.
    var perMin = function (i, count) {
      var n = 0;
      for (var j = i; j >= 0 && samples[i].elapsed_ms - samples[j].elapsed_ms < RATE_WINDOW_MS; j--) {
        n += count(samples[j]);
      }
      return n;
    };
    var timed = function (name) {
      return function (s, q) {
        var r = s.timers && s.timers[name] && s.timers[name].interval;
        return r && r.count - r.failed + (r.censored || 0) > 0 ? r[q] : null;
      };
    };
    var reply = timed('reply'), firstToken = timed('first_token');
    var zero = samples.length && samples[0].elapsed_ms > 0 ? [[0, 0]] : [];
    return {
      users: [{ name: 'active users', points: zero.concat(samples.map(function (s) { return [t(s), s.users]; })) }],
      conversations: [
        { name: 'started', color: PALETTE[0], points: samples.map(function (s, i) { return [t(s), perMin(i, function (x) { return x.conversations.started; })]; }) },
        { name: 'completed', color: PALETTE[1], points: samples.map(function (s, i) { return [t(s), perMin(i, function (x) { return x.conversations.succeeded; })]; }) },
        { name: 'failed or abandoned', color: PALETTE[2], points: samples.map(function (s, i) { return [t(s), perMin(i, function (x) { return x.conversations.failed + x.conversations.abandoned; })]; }) }
      ],
      latency: ['p50', 'p90', 'p95', 'p99'].map(function (q, i) {
        return { name: q, color: [PALETTE[1], PALETTE[0], PALETTE[3], PALETTE[2]][i], points: samples.map(function (s) { return [t(s), reply(s, q)]; }) };
      }),
      // first_token is in the samples only when a streaming protocol ran
      firstToken: samples.some(function (s) { return s.timers && s.timers.first_token; }) ? ['p50', 'p90', 'p95', 'p99'].map(function (q, i) {
        return { name: q, color: [PALETTE[1], PALETTE[0], PALETTE[3], PALETTE[2]][i], points: samples.map(function (s) { return [t(s), firstToken(s, q)]; }) };
      }) : null,
      cost: [{ name: 'USD so far', color: PALETTE[4], points: zero.concat(samples.map(function (s) { return [t(s), s.cost ? s.cost.usd : 0]; })) }]
    };
  }

  // ---- sections ----

  function headerOf(s) {
    var plan = s.plan || {};
    var verdict = (s.verdict || '').toLowerCase();
    var meta = [
      'started ' + fmtTime(s.started_at),
      'ran ' + fmtClock((s.duration_ms || 0) / 1000),
      'seed ' + plan.seed,
      'plan ' + (plan.file || '') + (plan.hash ? ' @ ' + plan.hash.slice(0, 12) : ''),
      'voyplan ' + (s.version || '')
    ];
    return el('header', { class: 'run card' }, [
      el('div', { class: 'what' }, [
        el('h1', { text: 'voyplan · ' + (plan.name || 'run') }),
        plan.description ? el('div', { text: plan.description }) : null,
        el('div', { class: 'meta' }, meta.map(function (m) { return el('span', { text: m }); }))
      ]),
      s.interrupted ? el('span', { class: 'tag warn', text: 'INTERRUPTED' }) : null,
      (s.steering || []).length ? el('span', { class: 'tag warn', id: 'steered', title: steeringText(s.steering), text: 'STEERED BY HAND' }) : null,
      el('div', { class: 'verdict ' + verdict, id: 'verdict', text: verdict.toUpperCase() || '?' })
    ]);
  }

  // steeringText tells the changes made by hand: "users 6→10 at 0:12, stop at 0:25".
  function steeringText(ss) {
    return (ss || []).map(function (x) {
      return x.action + (x.from !== undefined && x.to !== undefined ? ' ' + x.from + '→' + x.to : '') + ' at ' + fmtClock(Math.floor(x.elapsed_ms / 1000)) + ' (' + x.by + ')';
    }).join(', ');
  }

  // resultText is a threshold's result as the verdict table prints it: a
  // check that judged nothing is NO DATA, never a silent PASS or FAIL.
  function resultText(t) {
    if (t.result === 'no_data') return t.pass ? 'NO DATA (pass)' : 'NO DATA';
    return t.pass ? 'PASS' : 'FAIL';
  }

  function thresholdsOf(s) {
    var ths = s.thresholds || [];
    var failed = ths.filter(function (t) { return !t.pass; }).length;
    var rows = ths.map(function (t) {
      return el('tr', null, [
        el('td', null, [el('b', { text: t.name }), t.abort ? el('span', { class: 'muted small', text: ' (abort)' }) : null]),
        el('td', null, el('code', { text: t.check })),
        el('td', { class: 'n', text: t.error ? 'error: ' + t.error : t.observed }),
        el('td', null, el('span', { class: 'tag ' + (t.pass ? 'pass' : 'fail'), text: resultText(t) }))
      ]);
    });
    return el('section', { class: 'card', id: 'thresholds' }, [
      el('h2', { text: ths.length ? 'Thresholds — ' + (failed ? failed + ' of ' + ths.length + ' failed' : 'all ' + ths.length + ' held') : 'Thresholds — none declared' }),
      ths.length ? el('div', { class: 'scroll-x' }, el('table', null, [
        el('thead', null, el('tr', null, [el('th', { text: 'Threshold' }), el('th', { text: 'Check' }), el('th', { class: 'n', text: 'Observed' }), el('th', { text: 'Result' })])),
        el('tbody', null, rows)
      ])) : null
    ]);
  }

  function kpisOf(s, history) {
    var m = s.metrics || {}, c = m.conversations || {}, r = m.reply || {}, cost = m.cost || {};
    var peak = ((history && history.samples) || []).reduce(function (a, x) { return Math.max(a, x.users); }, 0);
    var k = function (label, value, sub) {
      return el('div', { class: 'kpi' }, [el('h3', { text: label }), el('div', { class: 'v', text: value }), el('div', { class: 's', text: sub || '' })]);
    };
    // the open-model shortfall: conversations that started behind schedule,
    // arrivals that found max_users in flight and never started
    var short = [c.late_starts ? c.late_starts + ' started late' : '', c.dropped ? c.dropped + ' dropped' : ''].filter(Boolean);
    return el('div', { class: 'kpis' }, [
      k('Conversations', fmtNum(c.started, 0), [c.succeeded + ' completed', c.failed + ' failed'].concat(short).join(' · ')),
      k('Success rate', fmtPct(c.success_rate), (c.abandoned || 0) + ' abandoned · ' + (c.interrupted || 0) + ' interrupted'),
      k('Reply p95', fmtMs(r.p95), 'p50 ' + fmtMs(r.p50) + ' · p99 ' + fmtMs(r.p99)),
      k('Turns', fmtNum(c.turns, 0), fmtNum(c.turns_avg, 1) + ' per conversation'),
      k('Peak users', fmtNum(peak, 0), ((history && history.samples) || []).length ? 'sampled every ' + fmtMs(history.interval_ms) : 'no history recorded'),
      k('LLM cost', fmtUsd(cost.usd), fmtNum((cost.input_tokens || 0) + (cost.output_tokens || 0) + (cost.thinking_tokens || 0), 0) + ' tokens')
    ]);
  }

  function chartCard(id, title, note, draw) {
    var body = el('div', { id: id });
    var card = el('section', { class: 'card' }, [el('h2', { text: title }), note ? el('div', { class: 'muted small', text: note }) : null, body]);
    return { card: card, draw: function () { draw(body); } };
  }

  function timelineOf(data) {
    var ser = seriesOf(data.history);
    var xf = fmtClock;
    var m = (data.summary && data.summary.metrics) || {};
    var noLLM = !(m.llm && m.llm.count) && !(m.cost && m.cost.usd);
    var time = function (o) { o.xFormat = xf; o.timeAxis = true; o.xMin = 0; return o; };
    var cards = [
      chartCard('chart-users', 'Active users', 'virtual users running', function (e) { line(e, time({ title: 'active users', series: ser.users, yFormat: function (v) { return fmtNum(v, 0); } })); }),
      chartCard('chart-conversations', 'Conversations per minute', 'how many in the minute up to each point (in the first minute of a run, since its start)', function (e) { line(e, time({ title: 'conversations per minute', series: ser.conversations })); }),
      chartCard('chart-latency', 'Reply latency', 'percentiles of the replies that arrived in each interval', function (e) { line(e, time({ title: 'reply latency', series: ser.latency, yFormat: fmtMs })); }),
      ser.firstToken ? chartCard('chart-first-token', 'Time to first token', 'percentiles of the streamed replies\' first content chunk in each interval', function (e) { line(e, time({ title: 'time to first token', series: ser.firstToken, yFormat: fmtMs })); }) : null,
      chartCard('chart-cost', 'Cumulative LLM cost', noLLM ? 'no LLM persona in this run: scripted customers cost nothing' : 'what the simulated customers\' model calls cost so far', function (e) { line(e, time({ title: 'cumulative cost', series: ser.cost, yFormat: fmtUsd })); })
    ];
    cards = cards.filter(Boolean);
    return { node: el('div', { class: 'grid2 charts' }, cards.map(function (c) { return c.card; })), draw: function () { cards.forEach(function (c) { c.draw(); }); } };
  }

  function histogramsOf(data) {
    var hs = data.histograms || {};
    var names = [['reply', 'Reply latency distribution'], ['first_token', 'Time to first token distribution'], ['send', 'Send (POST) latency distribution'], ['conversation', 'Completed conversation duration'], ['llm', 'LLM generation time']];
    var cards = names.filter(function (n) { return hs[n[0]] && hs[n[0]].count > 0; }).map(function (n, i) {
      var h = hs[n[0]];
      return chartCard('hist-' + n[0], n[1], fmtNum(h.count, 0) + ' samples · p50 ' + fmtMs(h.p50) + ' · p95 ' + fmtMs(h.p95) + ' · p99 ' + fmtMs(h.p99), function (e) {
        bars(e, { title: n[1], bins: h.bins, over: h.over, color: PALETTE[[0, 5, 1, 4][i % 4]], marks: [{ name: 'p95', at: h.p95 }] });
      });
    });
    if (!cards.length) return { node: null, draw: function () {} };
    return { node: el('div', { class: 'grid2 charts' }, cards.map(function (c) { return c.card; })), draw: function () { cards.forEach(function (c) { c.draw(); }); } };
  }

  function requestsOf(s) {
    var m = s.metrics || {};
    // send, reply and llm time their timed-out operations at the time they
    // waited (censored); the _ok rows time the successful ones only.
    var rows = [['send', 'POST', 'Voyager Message'], ['send_ok', 'POST', 'Voyager Message, successful only'],
      ['reply', 'WEBHOOK', 'Voyager Webhook'], ['reply_ok', 'WEBHOOK', 'Voyager Webhook, replies that came only'],
      ['llm', 'GEMINI', 'Gemini Response'], ['llm_ok', 'GEMINI', 'Gemini Response, successful only'],
      ['conversation', 'CONVERSATION', 'Complete Conversation'],
      ['first_token', 'STREAM', 'First Token'], ['stall', 'STREAM', 'Longest Stall']];
    var censored = function (r) { var all = m[r[0].replace(/_ok$/, '')]; return all && all.censored > 0; };
    var head = ['Metric', 'Name', 'Count', 'Failed', 'Censored', 'Error rate', 'Min', 'Avg', 'p50', 'p90', 'p95', 'p99', 'Max'];
    return el('section', { class: 'card', id: 'requests' }, [
      el('h2', { text: 'Requests' }),
      el('div', { class: 'scroll-x' }, el('table', null, [
        el('thead', null, el('tr', null, head.map(function (h, i) { return el('th', { class: i > 1 ? 'n' : null, text: h }); }))),
        el('tbody', null, rows.filter(function (r) { return m[r[0]] && (!/_ok$/.test(r[0]) || censored(r)) && (r[1] !== 'STREAM' || m[r[0]].count > 0); }).map(function (r) {
          var l = m[r[0]], timed = l.count - l.failed + (l.censored || 0);
          return el('tr', null, [el('td', null, el('code', { text: r[0] })), el('td', { text: r[2] }), el('td', { class: 'n', text: fmtNum(l.count, 0) }),
            el('td', { class: 'n', text: fmtNum(l.failed, 0) }), el('td', { class: 'n', text: fmtNum(l.censored || 0, 0) }), el('td', { class: 'n', text: fmtPct(l.error_rate) })].concat(
            ['min', 'avg', 'p50', 'p90', 'p95', 'p99', 'max'].map(function (q) { return el('td', { class: 'n', text: timed > 0 ? fmtMs(l[q]) : '–' }); })));
        }))
      ]))
    ]);
  }

  function personasOf(s) {
    var ps = (s.metrics && s.metrics.personas) || {};
    var names = Object.keys(ps).sort();
    var head = ['Persona', 'Started', 'Completed', 'Failed', 'Abandoned', 'Interrupted', 'Success rate', 'Avg turns', 'Failure reasons'];
    return el('section', { class: 'card', id: 'personas' }, [
      el('h2', { text: 'Personas' }),
      el('div', { class: 'scroll-x' }, el('table', null, [
        el('thead', null, el('tr', null, head.map(function (h, i) { return el('th', { class: i > 0 && i < 8 ? 'n' : null, text: h }); }))),
        el('tbody', null, names.map(function (n) {
          var p = ps[n], judged = p.succeeded + p.failed + p.abandoned;
          return el('tr', null, [el('td', null, el('b', { text: n })),
            el('td', { class: 'n', text: p.started }), el('td', { class: 'n', text: p.succeeded }), el('td', { class: 'n', text: p.failed }),
            el('td', { class: 'n', text: p.abandoned }), el('td', { class: 'n', text: p.interrupted }),
            el('td', { class: 'n', text: judged ? fmtPct(p.success_rate) : '–' }), el('td', { class: 'n', text: fmtNum(p.turns_avg, 1) }),
            el('td', { class: 'muted', text: reasonsText(p.reasons) })]);
        }))
      ]))
    ]);
  }

  function reasonsText(rs) {
    var ks = Object.keys(rs || {});
    return ks.length ? ks.sort().map(function (k) { return k + ' ' + rs[k]; }).join(', ') : '';
  }

  // faultsOf shows the webhook receiver's counters and the failure reasons,
  // whatever counters the summary carries.
  function faultsOf(s) {
    var m = s.metrics || {}, wh = m.webhook, reasons = (m.conversations || {}).reasons || {};
    var items = [];
    if (wh && typeof wh === 'object') {
      Object.keys(wh).sort().forEach(function (k) {
        if (typeof wh[k] === 'number') items.push(['webhook ' + k.replace(/_/g, ' '), wh[k], k !== 'received']);
      });
    }
    Object.keys(reasons).sort().forEach(function (k) { items.push(['failed: ' + k.replace(/_/g, ' '), reasons[k], true]); });
    if (!items.length) return null;
    return el('section', { class: 'card', id: 'faults' }, [
      el('h2', { text: 'Webhook and failures' }),
      el('div', { class: 'kpis' }, items.map(function (it) {
        return el('div', { class: 'kpi' + (it[2] && it[1] > 0 ? ' bad' : '') }, [el('h3', { text: it[0] }), el('div', { class: 'v', text: fmtNum(it[1], 0) })]);
      }))
    ]);
  }

  // errorsOf lists the run's distinct errors (kind, message, count), most
  // frequent first; nothing when nothing failed.
  function errorsOf(s) {
    var es = (s.metrics && s.metrics.errors) || [];
    if (!es.length) return null;
    return el('section', { class: 'card', id: 'errors' }, [
      el('h2', { text: 'Errors' }),
      el('div', { class: 'scroll-x' }, el('table', null, [
        el('thead', null, el('tr', null, ['Error', 'Message', 'Count'].map(function (h, i) { return el('th', { class: i === 2 ? 'n' : null, text: h }); }))),
        el('tbody', null, es.map(function (e) {
          return el('tr', null, [el('td', null, el('code', { text: e.kind })), el('td', { text: e.message }), el('td', { class: 'n', text: fmtNum(e.count, 0) })]);
        }))
      ]))
    ]);
  }

  // ---- conversations ----

  var URL_RE = /https?:\/\/[^\s<>"')\]]+/g;

  // linkify appends text to e with its http(s) URLs as links (never loaded:
  // they open only when clicked).
  function linkify(e, text) {
    var last = 0;
    String(text || '').replace(URL_RE, function (u, at) {
      append(e, text.slice(last, at));
      append(e, el('a', { href: u, target: '_blank', rel: 'noopener noreferrer', text: u }));
      last = at + u.length;
      return u;
    });
    append(e, String(text || '').slice(last));
  }

  function customerName(c) {
    var d = c.data || {};
    for (var k in d) {
      if (d[k] && d[k].name) return d[k].name;
    }
    return '';
  }

  function conversationsOf(data) {
    var convs = data.conversations || [];
    var total = data.conversations_total || convs.length;
    var list = el('div', { class: 'list', id: 'conversation-list' });
    var view = el('div', { class: 'transcript', id: 'transcript' });
    var outcome = el('select', { id: 'filter-outcome', 'aria-label': 'outcome' });
    var persona = el('select', { id: 'filter-persona', 'aria-label': 'persona' });
    var search = el('input', { id: 'filter-text', type: 'search', placeholder: 'search id, customer, message…' });
    options(outcome, 'every outcome', convs.map(function (c) { return c.outcome; }));
    options(persona, 'every persona', convs.map(function (c) { return c.persona; }));
    var count = el('span', { class: 'muted small' });
    var selected = null;

    function matches(c) {
      if (outcome.value && c.outcome !== outcome.value) return false;
      if (persona.value && c.persona !== persona.value) return false;
      var q = search.value.trim().toLowerCase();
      if (!q) return true;
      if ((c.id + ' ' + customerName(c) + ' ' + (c.reason || '')).toLowerCase().indexOf(q) >= 0) return true;
      return (c.turns || []).some(function (t) {
        return (t.sent || '').toLowerCase().indexOf(q) >= 0 || (t.messages || []).some(function (m) { return (m.text || '').toLowerCase().indexOf(q) >= 0; });
      });
    }

    function refresh() {
      clear(list);
      var shown = convs.filter(matches);
      count.textContent = shown.length + ' of ' + convs.length + ' shown' + (total > convs.length ? ' (' + total + ' in the run; conversations.jsonl has them all)' : '');
      if (!shown.length) list.appendChild(el('div', { class: 'none', text: 'No conversation matches.' }));
      shown.forEach(function (c) {
        var item = el('div', { class: 'item' + (c === selected ? ' sel' : ''), 'data-id': c.id, onclick: function () { select(c); } }, [
          el('div', { class: 'top' }, [el('span', { class: 'who', text: c.persona + ' · user ' + c.user }), el('span', { class: 'tag ' + c.outcome, text: c.outcome })]),
          el('div', { class: 'sub', text: customerName(c) + ' · ' + (c.turns || []).length + ' turns · ' + fmtMs(c.duration_ms) + (c.reason ? ' · ' + c.reason : '') })
        ]);
        list.appendChild(item);
      });
      if (shown.length && shown.indexOf(selected) < 0) select(shown[0]);
    }

    function select(c) {
      selected = c;
      Array.prototype.forEach.call(list.children, function (n) { n.classList.toggle('sel', n.getAttribute('data-id') === c.id); });
      transcript(view, c);
    }

    [outcome, persona].forEach(function (s) { s.addEventListener('change', refresh); });
    search.addEventListener('input', refresh);
    var node = el('section', { class: 'card', id: 'conversations' }, [
      el('h2', { text: 'Conversations' }),
      el('div', { class: 'filters' }, [outcome, persona, search, count]),
      el('div', { class: 'browser' }, [list, view])
    ]);
    return { node: node, draw: refresh };
  }

  function options(select, all, values) {
    var counts = {};
    values.forEach(function (v) { counts[v] = (counts[v] || 0) + 1; });
    select.appendChild(el('option', { value: '', text: all }));
    Object.keys(counts).sort().forEach(function (v) { select.appendChild(el('option', { value: v, text: v + ' (' + counts[v] + ')' })); });
  }

  function transcript(view, c) {
    clear(view);
    var data = [];
    Object.keys(c.data || {}).forEach(function (block) {
      Object.keys(c.data[block]).sort().forEach(function (k) { data.push(el('span', { class: 'mono', text: block + '.' + k + ' = ' + c.data[block][k] })); });
    });
    view.appendChild(el('div', { class: 'thead' }, [
      el('div', { class: 'line1' }, [
        el('b', { text: c.persona + ' · user ' + c.user }),
        el('span', { class: 'tag ' + c.outcome, text: c.outcome + (c.reason ? ': ' + c.reason : '') }),
        el('span', { class: 'muted small', text: fmtTime(c.started_at) + ' · ' + fmtMs(c.duration_ms) + ((c.cost_usd || 0) > 0 ? ' · ' + fmtUsd(c.cost_usd) : '') }),
        el('span', { class: 'muted small mono', text: c.id }),
        c.trace_id ? el('span', { class: 'muted small mono trace', title: "the conversation's OpenTelemetry trace: the assistant's spans carry it", text: 'trace ' + c.trace_id }) : null
      ]),
      c.error ? el('div', { class: 'err', text: c.error }) : null,
      data.length ? el('div', { class: 'data' }, data) : null
    ]));
    var msgs = el('div', { class: 'msgs' });
    (c.turns || []).forEach(function (t) { turnBubbles(msgs, t); });
    if (c.waiting) waitingBubble(msgs, c.waiting);
    if (!(c.turns || []).length && !c.waiting) msgs.appendChild(el('div', { class: 'note', text: 'no message was sent' }));
    if (c.outcome) msgs.appendChild(el('div', { class: 'note' + (c.outcome === 'completed' ? '' : ' bad'), text: 'conversation ' + c.outcome + (c.reason ? ' (' + c.reason + ')' : '') }));
    else msgs.appendChild(el('div', { class: 'note', text: 'in flight' }));
    view.appendChild(msgs);
    view.scrollTop = 0;
  }

  function turnBubbles(msgs, t) {
    msgs.appendChild(el('div', { class: 'gap' }));
    var me = el('div', { class: 'bubble me' });
    linkify(me, t.sent);
    var foot = 'turn ' + t.n + ' · ' + hhmmss(t.sent_at) + ' · POST ' + fmtMs(t.send_ms) + (t.status && (t.status < 200 || t.status > 299) ? ' · HTTP ' + t.status : '');
    if (t.llm) foot += ' · LLM ' + fmtMs(t.llm.ms);
    if (t.span_id) foot += ' · span ' + t.span_id;
    me.appendChild(el('span', { class: 'foot', text: foot }));
    msgs.appendChild(me);
    var replies = t.messages || [];
    replies.forEach(function (m, i) {
      var b = messageBubble(m, false);
      if (i === replies.length - 1) {
        var f = 'reply in ' + fmtMs(t.reply_ms);
        if (t.callbacks > 1) f += ' · ' + t.callbacks + ' callbacks';
        if (t.duplicates) f += ' · ' + t.duplicates + ' duplicate' + (t.duplicates > 1 ? 's' : '');
        b.appendChild(el('span', { class: 'foot', text: f }));
      }
      msgs.appendChild(b);
    });
    if (!replies.length && t.reply_ms === null) msgs.appendChild(el('div', { class: 'note bad', text: 'no reply' }));
    (t.late || []).forEach(function (m) { msgs.appendChild(messageBubble(m, true)); });
  }

  // waitingBubble is the message of a conversation in flight still waiting
  // for its reply.
  function waitingBubble(msgs, t) {
    msgs.appendChild(el('div', { class: 'gap' }));
    var me = el('div', { class: 'bubble me' });
    linkify(me, t.sent);
    me.appendChild(el('span', { class: 'foot', text: 'turn ' + t.n + ' · ' + hhmmss(t.sent_at) }));
    msgs.appendChild(me);
    msgs.appendChild(el('div', { class: 'note waiting', text: 'waiting for the reply…' }));
  }

  function messageBubble(m, late) {
    var b = el('div', { class: 'bubble them' + (late ? ' late' : '') });
    if (m.link) {
      b.appendChild(el('a', { class: 'media', href: m.link, target: '_blank', rel: 'noopener noreferrer', text: (m.type === 'media' ? 'image' : m.type || 'link') + ': ' + m.link }));
      if (m.text) append(b, '\n');
    }
    if (m.text) linkify(b, m.text);
    if (late) b.appendChild(el('span', { class: 'foot', text: 'late: arrived after the turn closed' }));
    return b;
  }

  // ---- the page ----

  function render(root, data) {
    clear(root);
    var s = data.summary || {};
    var timeline = timelineOf(data), hist = histogramsOf(data), convs = conversationsOf(data);
    append(root, [
      headerOf(s),
      thresholdsOf(s),
      kpisOf(s, data.history),
      timeline.node,
      hist.node,
      requestsOf(s),
      errorsOf(s),
      personasOf(s),
      faultsOf(s),
      convs.node,
      el('footer', { text: 'voyplan ' + (s.version || '') + ' · generated ' + fmtTime(data.generated_at) + ' · works offline: everything is in this file' })
    ]);
    timeline.draw();
    hist.draw();
    convs.draw();
  }

  global.voyplan = {
    render: render,
    series: seriesOf,
    charts: { line: line, bars: bars },
    parts: { timeline: timelineOf, requests: requestsOf, personas: personasOf, thresholds: thresholdsOf, transcript: transcript, steering: steeringText },
    dom: { el: el, clear: clear, linkify: linkify },
    format: { ms: fmtMs, pct: fmtPct, usd: fmtUsd, clock: fmtClock, num: fmtNum, time: fmtTime, hhmmss: hhmmss }
  };

  function boot() {
    var src = document.getElementById('voyplan-data');
    var root = document.getElementById('app');
    if (src && root) render(root, JSON.parse(src.textContent));
  }
  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', boot);
  else boot();
})(window);
