// voyplan report: renders a run from one JSON document,
//   {summary, history, histograms, conversations, conversations_total}
// (engine/report.Data), with no network. The charts are uPlot's (the global
// uPlot, inlined ahead of this script: assets/vendor/uplot). Everything is
// exposed on window.voyplan so a live view (the dashboard of
// `voyplan apply --ui`) draws the same shape with the same code as it
// changes:
//   voyplan.render(rootElement, data)
//   voyplan.charts.line(el, {series, xFormat, yFormat}) → a uPlot (el.uplot)
//   voyplan.charts.bars(el, {bins, over, format}) → a uPlot (el.uplot)
//   voyplan.parts.timeline(data) → {node, draw}: the charts over time
//   voyplan.parts.capacity(summary) → {node, draw}: a capacity search's
//     figures against load, the knee marked, and its steps
//   voyplan.parts.requests(summary), .personas(summary), .thresholds(summary)
//   voyplan.parts.transcript(viewElement, conversation): one chat; a
//     conversation in flight has no outcome and may be `waiting` for a reply
//   voyplan.dom.el(tag, attrs, children), voyplan.dom.clear(element)
(function (global) {
  'use strict';

  var PALETTE = ['#2563eb', '#16a34a', '#dc2626', '#f59e0b', '#7c3aed', '#0891b2'];

  // ---- DOM helpers: text only, never HTML from the data ----

  function el(tag, attrs, children) {
    var e = document.createElement(tag);
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

  // ---- charts: uPlot (assets/vendor/uplot), inlined ahead of this script ----

  var H = 250;
  // TIME_INCRS are the steps of a time axis, in seconds: round clock steps.
  var TIME_INCRS = [1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 14400, 43200, 86400];
  // COUNT_INCRS are the steps of an axis of counts: whole numbers only.
  var COUNT_INCRS = [1, 2, 5, 10, 20, 25, 50, 100, 200, 250, 500, 1000, 2000, 2500, 5000, 1e4, 2e4, 2.5e4, 5e4, 1e5, 2e5, 5e5, 1e6, 1e7, 1e8];

  // drawn holds the charts on the page. uPlot listens on the window, so a
  // chart whose node has left the page (the live view redraws every second)
  // is destroyed before the next is drawn, and a chart follows its box's
  // width as the window resizes.
  var drawn = [];

  function keep(u, container) {
    drawn = drawn.filter(function (d) {
      if (d.u.root.isConnected) return true;
      d.u.destroy();
      if (d.ro) d.ro.disconnect();
      return false;
    });
    var d = { u: u };
    if (global.ResizeObserver) {
      var last = widthOf(container);
      d.ro = new ResizeObserver(function () {
        var w = widthOf(container);
        if (w !== last) { last = w; u.setSize({ width: w, height: H }); }
      });
      d.ro.observe(container);
    }
    drawn.push(d);
    container.uplot = u;
    return u;
  }

  function widthOf(container) {
    return Math.max(Math.floor(container.clientWidth), 280);
  }

  // theme reads the page's colours (dark or light) for the canvas, which
  // cannot use CSS variables.
  function theme() {
    var cs = getComputedStyle(document.documentElement);
    var v = function (n, d) { return (cs.getPropertyValue(n) || '').trim() || d; };
    return { muted: v('--muted', '#66727f'), grid: v('--grid', '#edf0f3'), line: v('--line', '#e3e8ee'), warn: v('--warn', '#b45309'),
      pass: v('--pass', '#15803d'), fail: v('--fail', '#b91c1c') };
  }

  function axis(th, fmt, extra) {
    var a = { stroke: th.muted, grid: { stroke: th.grid, width: 1 }, ticks: { stroke: th.line, width: 1, size: 4 }, font: '11px system-ui, sans-serif',
      values: function (u, splits) { return splits.map(function (v) { return v === null ? '' : fmt(v); }); } };
    Object.keys(extra || {}).forEach(function (k) { a[k] = extra[k]; });
    return a;
  }

  function noData(container, text) {
    container.appendChild(el('div', { class: 'empty', text: text }));
    return null;
  }

  // aligned turns series of [x, y] points into uPlot's columns: the xs of
  // every series, sorted, and each series' y at them (null: a gap).
  function aligned(series) {
    var seen = {}, xs = [];
    series.forEach(function (s) { s.points.forEach(function (p) { if (!seen[p[0]]) { seen[p[0]] = true; xs.push(p[0]); } }); });
    xs.sort(function (a, b) { return a - b; });
    var at = {};
    xs.forEach(function (x, i) { at[x] = i; });
    return [xs].concat(series.map(function (s) {
      var ys = xs.map(function () { return null; });
      s.points.forEach(function (p) { ys[at[p[0]]] = p[1] === null || p[1] === undefined || !isFinite(p[1]) ? null : p[1]; });
      return ys;
    }));
  }

  // line draws series of [x, y] points (y null: a gap) as a uPlot line
  // chart: axes, and a legend that reads out every series at the cursor.
  // opts: {series: [{name, color, points, dash}], xFormat, yFormat, yMin,
  // xMin, timeAxis, counts (whole numbers on the y axis), xLabel, marks: [{at, name, color}], band: [from, to]}.
  function line(container, opts) {
    clear(container);
    container.classList.add('chart');
    var series = (opts.series || []).map(function (s, i) {
      return { name: s.name, color: s.color || PALETTE[i % PALETTE.length], points: s.points || [], dash: s.dash, pointsOnly: s.pointsOnly };
    });
    var data = aligned(series);
    var any = data.slice(1).some(function (ys) { return ys.some(function (y) { return y !== null; }); });
    if (!data[0].length || !any) return noData(container, 'no data yet');
    var th = theme(), xFmt = opts.xFormat || String, yFmt = opts.yFormat || fmtNum;
    var yMin = opts.yMin === undefined ? 0 : opts.yMin;
    var u = new uPlot({
      width: widthOf(container), height: H, class: 'vp-chart',
      scales: {
        x: { time: false, range: function (u, lo, hi) { lo = opts.xMin === undefined ? lo : Math.min(opts.xMin, lo); return [lo, hi > lo ? hi : lo + 1]; } },
        // all zeros (a run that cost nothing) still gets an axis up to 1
        y: { range: function (u, lo, hi) { lo = Math.min(yMin, lo); return uPlot.rangeNum(lo, hi > lo ? hi : lo + 1, 0.1, true); } }
      },
      axes: [axis(th, xFmt, opts.timeAxis ? { incrs: TIME_INCRS, space: 60 } : { space: 60 }), axis(th, yFmt, opts.counts ? { size: 64, incrs: COUNT_INCRS } : { size: 64 })],
      series: [{ label: opts.xLabel || 'time', value: function (u, v) { return v === null ? '–' : xFmt(v); } }].concat(series.map(function (s) {
        return { label: s.name, stroke: s.color, width: s.pointsOnly ? 0 : 2, dash: s.dash, spanGaps: false,
          points: { show: s.pointsOnly ? true : undefined, size: s.pointsOnly ? 9 : 5, fill: s.color },
          value: function (u, v) { return v === null ? '–' : yFmt(v); } };
      })),
      legend: { show: true, live: true },
      hooks: { draw: [function (u) { drawMarks(u, th, opts.marks || [], opts.band, xFmt); }] }
    }, data, container);
    return keep(u, container);
  }

  // drawMarks draws vertical marks (a knee, a percentile) with their labels,
  // and a shaded band between two xs, on a drawn chart.
  function drawMarks(u, th, marks, band, xFmt) {
    var ctx = u.ctx, top = u.bbox.top, h = u.bbox.height, px = uPlot.pxRatio;
    ctx.save();
    if (band) {
      var b0 = u.valToPos(band[0], 'x', true), b1 = u.valToPos(band[1], 'x', true);
      ctx.fillStyle = 'rgba(220, 38, 38, 0.08)';
      ctx.fillRect(Math.min(b0, b1), top, Math.abs(b1 - b0), h);
    }
    ctx.font = (11 * px) + 'px system-ui, sans-serif';
    ctx.setLineDash([4 * px, 3 * px]);
    ctx.lineWidth = px;
    marks.forEach(function (m, i) {
      var x = u.valToPos(m.at, 'x', true);
      if (!(x >= u.bbox.left - 1 && x <= u.bbox.left + u.bbox.width + 1)) return;
      ctx.strokeStyle = ctx.fillStyle = m.color || th.warn;
      ctx.beginPath();
      ctx.moveTo(x, top);
      ctx.lineTo(x, top + h);
      ctx.stroke();
      var label = m.label || m.name + ' ' + xFmt(m.at);
      var right = x > u.bbox.left + u.bbox.width * 0.7;
      ctx.textAlign = right ? 'right' : 'left';
      ctx.fillText(label, right ? x - 4 * px : x + 4 * px, top + (12 + 14 * i) * px);
    });
    ctx.restore();
  }

  // bars draws a histogram: opts.bins [{lo, hi, n}] of equal width,
  // opts.over (the count above the last bin, drawn as one more bar in red),
  // opts.marks [{name, at}] drawn as vertical lines. The cursor reads out
  // each bin's range and count.
  function bars(container, opts) {
    clear(container);
    container.classList.add('chart');
    var bins = opts.bins || [];
    if (!bins.length) return noData(container, 'no samples');
    var th = theme(), fmt = opts.format || fmtMs, over = opts.over || 0;
    var lo = bins[0].lo, width = bins[0].hi - bins[0].lo, n = bins.length;
    var slots = n + (over ? 1 : 0);
    // x is in bins: bin i spans [i, i+1], its bar centred on i + 0.5.
    var xs = [], inRange = [], above = [];
    for (var i = 0; i < slots; i++) {
      xs.push(i + 0.5);
      inRange.push(i < n ? bins[i].n : null);
      above.push(i < n ? null : over);
    }
    var edge = function (v) { return v >= n ? fmt(bins[n - 1].hi) : fmt(bins[Math.max(0, Math.round(v))].lo); };
    var step = Math.max(1, Math.ceil(slots / 7));
    var barPaths = uPlot.paths.bars({ size: [0.92, Infinity], align: 0 });
    var u = new uPlot({
      width: widthOf(container), height: H, class: 'vp-chart',
      scales: { x: { time: false, range: [0, slots] }, y: { range: function (u, a, b) { return uPlot.rangeNum(0, b, 0.1, true); } } },
      axes: [
        axis(th, edge, { splits: function () { var s = []; for (var k = 0; k <= n; k += step) s.push(k); return s; }, grid: { show: false } }),
        axis(th, function (v) { return fmtNum(v, 0); }, { size: 56, incrs: COUNT_INCRS })
      ],
      series: [
        { label: 'range', value: function (u, v) { if (v === null) return '–'; var k = Math.floor(v); return k >= n ? '> ' + fmt(bins[n - 1].hi) : fmt(bins[k].lo) + ' – ' + fmt(bins[k].hi); } },
        { label: 'samples', stroke: opts.color || PALETTE[0], fill: opts.color || PALETTE[0], paths: barPaths, points: { show: false }, value: function (u, v) { return v === null ? '–' : fmtNum(v, 0); } }
      ].concat(over ? [{ label: 'above', stroke: PALETTE[2], fill: PALETTE[2], paths: barPaths, points: { show: false }, value: function (u, v) { return v === null ? '–' : fmtNum(v, 0); } }] : []),
      legend: { show: true, live: true },
      cursor: { drag: { x: false, y: false } },
      hooks: { draw: [function (u) {
        // a mark at a value sits at its place in the bins (equal widths)
        drawMarks(u, th, (opts.marks || []).filter(function (m) { return m.at >= lo && m.at <= bins[n - 1].hi; }).map(function (m) {
          return { at: (m.at - lo) / width, label: m.name + ' ' + fmt(m.at) };
        }), null, String);
      }] }
    }, [xs, inRange].concat(over ? [above] : []), container);
    return keep(u, container);
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
    var windowed = ths.some(function (t) { return t.window_ms > 0; });
    var rows = ths.map(function (t) {
      return el('tr', null, [
        el('td', null, [el('b', { text: t.name }), t.abort ? el('span', { class: 'muted small', text: ' (abort)' }) : null]),
        el('td', null, el('code', { text: t.check })),
        el('td', { class: 'n', text: t.error ? 'error: ' + t.error : t.observed }),
        windowed ? el('td', { class: 'window', text: windowText(t) }) : null,
        el('td', null, el('span', { class: 'tag ' + (t.pass ? 'pass' : 'fail'), text: resultText(t) }))
      ]);
    });
    return el('section', { class: 'card', id: 'thresholds' }, [
      el('h2', { text: ths.length ? 'Thresholds — ' + (failed ? failed + ' of ' + ths.length + ' failed' : 'all ' + ths.length + ' held') : 'Thresholds — none declared' }),
      ths.length ? el('div', { class: 'scroll-x' }, el('table', null, [
        el('thead', null, el('tr', null, [el('th', { text: 'Threshold' }), el('th', { text: 'Check' }), el('th', { class: 'n', text: windowed ? 'Observed (worst window)' : 'Observed' }),
          windowed ? el('th', { text: 'Window' }) : null, el('th', { text: 'Result' })])),
        el('tbody', null, rows)
      ])) : null
    ]);
  }

  // windowText tells a windowed threshold's windows: "every 1 min · worst
  // 1:00–2:00 (fail) · 2 of 5 failed"; empty for one judged on the whole run.
  function windowText(t) {
    if (!(t.window_ms > 0)) return '';
    var w = t.worst_window;
    return ['every ' + fmtMs(t.window_ms),
      w ? 'worst ' + fmtClock(w.from_ms / 1000) + '–' + fmtClock(w.to_ms / 1000) + ' (' + w.result + ')' : 'no window judged',
      (t.failed_windows || 0) + ' of ' + (t.windows || 0) + ' failed'].join(' · ');
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
      chartCard('chart-users', 'Active users', 'virtual users running', function (e) { line(e, time({ title: 'active users', series: ser.users, counts: true, yFormat: function (v) { return fmtNum(v, 0); } })); }),
      chartCard('chart-conversations', 'Conversations per minute', 'how many in the minute up to each point (in the first minute of a run, since its start)', function (e) { line(e, time({ title: 'conversations per minute', series: ser.conversations, counts: true })); }),
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
      ['first_token', 'STREAM', 'First Token'], ['stall', 'STREAM', 'Longest Stall'],
      ['reply_from_first', 'BURST', 'Reply From First Message']];
    var b = m.burst || {}, bursts = b.bursts > 0 || b.double_texts > 0; // customers typing in bursts (conversation.burst)
    var censored = function (r) { var all = m[r[0].replace(/_ok$/, '')]; return all && all.censored > 0; };
    var head = ['Metric', 'Name', 'Count', 'Failed', 'Censored', 'Error rate', 'Min', 'Avg', 'p50', 'p90', 'p95', 'p99', 'Max'];
    return el('section', { class: 'card', id: 'requests' }, [
      el('h2', { text: 'Requests' }),
      el('div', { class: 'scroll-x' }, el('table', null, [
        el('thead', null, el('tr', null, head.map(function (h, i) { return el('th', { class: i > 1 ? 'n' : null, text: h }); }))),
        el('tbody', null, rows.filter(function (r) { return m[r[0]] && (!/_ok$/.test(r[0]) || censored(r)) && (r[1] !== 'STREAM' || m[r[0]].count > 0) && (r[1] !== 'BURST' || bursts); }).map(function (r) {
          var l = m[r[0]], timed = l.count - l.failed + (l.censored || 0);
          return el('tr', null, [el('td', null, el('code', { text: r[0] })), el('td', { text: r[2] }), el('td', { class: 'n', text: fmtNum(l.count, 0) }),
            el('td', { class: 'n', text: fmtNum(l.failed, 0) }), el('td', { class: 'n', text: fmtNum(l.censored || 0, 0) }), el('td', { class: 'n', text: fmtPct(l.error_rate) })].concat(
            ['min', 'avg', 'p50', 'p90', 'p95', 'p99', 'max'].map(function (q) { return el('td', { class: 'n', text: timed > 0 ? fmtMs(l[q]) : '–' }); })));
        }))
      ])),
      bursts ? el('p', { class: 'muted', id: 'bursts', text: 'Bursts: ' + fmtNum(b.bursts, 0) + ' thoughts sent as ' + fmtNum(b.fragments, 0) +
        ' messages · ' + fmtNum(b.replies_per_burst, 2) + ' replies per burst · ' + fmtNum(m.double_answers || 0, 0) +
        ' double answers (answered more than once) · ' + fmtNum(b.double_texts, 0) + ' double texts' }) : null
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

  // The counters channelOf shows, in order, with what each means; the
  // third field marks a failure (highlighted when not zero).
  var CHANNEL_ROWS = [
    ['whatsapp', 'deliveries', 'messages webhooks posted to the bot, re-deliveries included', false],
    ['whatsapp', 'signature_refused', 'deliveries the bot refused (401/403): its app secret is not the target\'s', true],
    ['whatsapp', 'delivery_failed', 'deliveries answered otherwise than 2xx, or not in time', true],
    ['whatsapp', 'graph_calls', 'Graph API calls the bot made to the stand-in', false],
    ['whatsapp', 'messages', 'messages the stand-in took (text + media + interactive + templates)', false],
    ['whatsapp', 'text', 'text messages', false],
    ['whatsapp', 'media', 'media messages (image, document, …)', false],
    ['whatsapp', 'interactive', 'interactive messages (buttons, lists, call-to-action URLs)', false],
    ['whatsapp', 'templates', 'template messages', false],
    ['whatsapp', 'with_context', 'messages naming the customer message they answer (context.message_id)', false],
    ['whatsapp', 'read_marks', 'mark-as-read calls', false],
    ['whatsapp', 'auth_failures', 'calls without the bearer token or with a wrong one (401)', true],
    ['whatsapp', 'unknown_recipients', 'calls to a wa_id no open conversation holds (131030)', true],
    ['whatsapp', 'unknown_phone', 'calls to another phone_number_id (100/33)', true],
    ['whatsapp', 'malformed', 'calls the Graph API cannot read: bad JSON, a missing field, a bad path or method', true],
    ['whatsapp', 'oversize', 'calls with a body over 1 MiB (413)', true],
    ['whatsapp', 'statuses', 'statuses webhooks (sent, delivered, read) posted to the bot', false],
    ['whatsapp', 'status_failed', 'statuses webhooks the bot did not take', true],
    ['channel', 'redelivered', 'messages delivered again with the same id after their reply', false],
    ['channel', 'duplicate_replies', 'the bot\'s answers to a re-delivered copy: answered twice', true],
    ['channel', 'delayed', 'deliveries held back (channel_faults.delay)', false],
    ['channel', 'out_of_order', 'deliveries that reached the bot after one that became due later', false]
  ];

  // channelOf shows a whatsapp target's channel and the channel faults a
  // whatsapp or webhook target made, when the run had any.
  function channelOf(s) {
    var m = s.metrics || {};
    var used = function (o) { return o && typeof o === 'object' && Object.keys(o).some(function (k) { return o[k] > 0; }); };
    var groups = { whatsapp: used(m.whatsapp) ? m.whatsapp : null, channel: used(m.channel) ? m.channel : null };
    var rows = CHANNEL_ROWS.filter(function (r) { return groups[r[0]] && typeof groups[r[0]][r[1]] === 'number'; });
    if (!rows.length) return null;
    return el('section', { class: 'card', id: 'channel' }, [
      el('h2', { text: 'WhatsApp channel and channel faults' }),
      el('div', { class: 'scroll-x' }, el('table', null, [
        el('thead', null, el('tr', null, ['Counter', 'What it counts', 'Count'].map(function (h, i) { return el('th', { class: i === 2 ? 'n' : null, text: h }); }))),
        el('tbody', null, rows.map(function (r) {
          var v = groups[r[0]][r[1]];
          return el('tr', { class: r[3] && v > 0 ? 'bad' : null }, [el('td', null, el('code', { text: r[0] + '.' + r[1] })),
            el('td', { text: r[2] }), el('td', { class: 'n', text: fmtNum(v, 0) })]);
        }))
      ]))
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

  // ---- capacity: a search's figures against load ----

  var DUR_RE = /^-?(\d+(\.\d+)?(ns|us|µs|ms|s|m|h))+$/;
  var DUR_MS = { ns: 1e-6, us: 1e-3, 'µs': 1e-3, ms: 1, s: 1000, m: 60000, h: 3600000 };

  // figureOf reads a threshold's observed text as a number: a Go duration
  // ("812.4ms", "1m2.5s") in ms, or a plain number (a trailing % kept as
  // is); the first of several joined by ", "; null for anything else (an
  // error, NO DATA).
  function figureOf(text) {
    var t = String(text || '').split(',')[0].trim();
    if (DUR_RE.test(t)) {
      var ms = 0;
      t.replace(/(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)/g, function (_, n, unit) { ms += parseFloat(n) * DUR_MS[unit]; return _; });
      return { v: t.charAt(0) === '-' ? -ms : ms, duration: true };
    }
    var m = /^(-?\d+(\.\d+)?(e[-+]?\d+)?)%?$/i.exec(t);
    return m ? { v: parseFloat(m[1]), duration: false } : null;
  }

  // limitOf reads the bound a check compares against, when the check ends
  // with one ("reply.p95 < duration('2s')", "success_rate >= 0.9").
  function limitOf(check) {
    var m = /[<>]=?\s*(?:duration\(\s*['"]([^'"]+)['"]\s*\)|(-?\d+(?:\.\d+)?))\s*\)?\s*$/.exec(String(check || ''));
    if (!m) return null;
    return m[1] !== undefined ? figureOf(m[1]) : { v: parseFloat(m[2]), duration: false };
  }

  // kneeOf is where the search found the knee: the most load that held and
  // the least above it that did not (either may be missing).
  function kneeOf(c) {
    var held = c.steps.filter(function (st) { return st.held; }).map(function (st) { return st.load; });
    var good = held.length ? Math.max.apply(null, held) : null;
    var failed = c.steps.filter(function (st) { return !st.held && (good === null || st.load > good); }).map(function (st) { return st.load; });
    var bad = c.limiting_threshold ? c.limiting_threshold.load : failed.length ? Math.min.apply(null, failed) : null;
    return { good: good, bad: bad };
  }

  function capacityHeadline(c, loadFmt) {
    var lim = c.limiting_threshold;
    var found = kneeOf(c).good === null ? 'no step held' : fmtNum(c.value, 1) + ' ' + c.unit + ' at ' + loadFmt(c.load);
    var parts = [lim ? 'broke at ' + loadFmt(lim.load) + ' (' + fmtNum(lim.per_minute, 1) + '/min) on ' + lim.name + ' (' + lim.observed + ')' : 'no step broke',
      c.require ? 'required ' + fmtNum(c.require, 1) + '/min: ' + (c.value >= c.require ? 'met' : 'not met') : ''];
    return { title: 'Capacity — ' + found, note: parts.filter(Boolean).join(' · ') };
  }

  function capacityOf(s) {
    var c = s && s.capacity;
    if (!c || !(c.steps || []).length) return { node: null, draw: function () {} };
    var users = c.vary === 'users';
    var loadFmt = function (v) { return fmtNum(v, 2) + (users ? (v === 1 ? ' user' : ' users') : '/s'); };
    var head = capacityHeadline(c, loadFmt);
    var cards = capacityCharts(c, loadFmt);
    var knee = kneeOf(c);
    var node = el('section', { class: 'card', id: 'capacity', 'data-last-good': knee.good, 'data-first-bad': knee.bad }, [
      el('h2', { text: head.title }),
      el('div', { class: 'muted small', text: head.note + ' · each step judged on its own hold; the knee lies between the last good and the first bad load (shaded)' }),
      el('div', { class: 'grid2 charts' }, cards.map(function (k) { return k.card; })),
      capacityTable(c, loadFmt)
    ]);
    return { node: node, draw: function () { cards.forEach(function (k) { k.draw(); }); } };
  }

  // capacityCharts: completed conversations per minute, then each
  // threshold's figure, against load, with the knee marked.
  function capacityCharts(c, loadFmt) {
    var steps = c.steps.slice().sort(function (a, b) { return a.load - b.load; });
    var knee = kneeOf(c);
    var chart = function (id, title, note, series, yFmt) {
      var card = el('div', { class: 'sub-chart' }, [el('h3', { text: title }), note ? el('div', { class: 'muted small', text: note }) : null]);
      var body = el('div', { id: id });
      card.appendChild(body);
      return { card: card, draw: function () {
        var th = theme(), marks = [];
        if (knee.good !== null) marks.push({ at: knee.good, label: 'last good ' + loadFmt(knee.good), color: th.pass });
        if (knee.bad !== null) marks.push({ at: knee.bad, label: 'first bad ' + loadFmt(knee.bad), color: th.fail });
        line(body, { title: title, series: series, xFormat: loadFmt, yFormat: yFmt, xLabel: 'load', marks: marks,
          band: knee.good !== null && knee.bad !== null ? [knee.good, knee.bad] : null });
      } };
    };
    var cards = [chart('chart-capacity-rate', 'Completed conversations per minute', 'on each step\'s hold',
      [{ name: 'completed/min', color: PALETTE[1], points: steps.map(function (st) { return [st.load, st.per_minute]; }) }], function (v) { return fmtNum(v, 1); })];
    thresholdNames(steps).forEach(function (t, i) {
      var figs = steps.map(function (st) {
        var r = (st.thresholds || []).find(function (x) { return x.name === t.name; });
        return { load: st.load, r: r, f: r ? figureOf(r.observed) : null };
      });
      var duration = figs.some(function (x) { return x.f && x.f.duration; });
      var limit = limitOf(t.check);
      var series = [
        { name: t.name, color: PALETTE[0], points: figs.map(function (x) { return [x.load, x.f ? x.f.v : null]; }) },
        { name: 'failed', color: PALETTE[2], pointsOnly: true, points: figs.map(function (x) { return [x.load, x.f && x.r && !x.r.pass ? x.f.v : null]; }) }
      ];
      if (limit) series.push({ name: 'limit', color: PALETTE[3], dash: [6, 4], points: figs.map(function (x) { return [x.load, limit.v]; }) });
      cards.push(chart('chart-capacity-' + i, t.name, t.check, series, duration ? fmtMs : fmtNum));
    });
    return cards;
  }

  // thresholdNames are the thresholds the steps judged, in their order.
  function thresholdNames(steps) {
    var seen = {}, out = [];
    steps.forEach(function (st) {
      (st.thresholds || []).forEach(function (t) { if (!seen[t.name]) { seen[t.name] = true; out.push({ name: t.name, check: t.check }); } });
    });
    return out;
  }

  // capacityTable lists the steps in the order they ran, with every
  // threshold's figure on each.
  function capacityTable(c, loadFmt) {
    var names = thresholdNames(c.steps);
    var head = ['Step', 'Load', 'Hold', 'Completed/min', 'Reply p95'].concat(names.map(function (t) { return t.name; })).concat(['Held']);
    return el('div', { class: 'scroll-x' }, el('table', { id: 'capacity-steps' }, [
      el('thead', null, el('tr', null, head.map(function (h, i) { return el('th', { class: i > 0 && i < 5 ? 'n' : null, text: h }); }))),
      el('tbody', null, c.steps.map(function (st, i) {
        return el('tr', null, [el('td', { text: String(i + 1) }), el('td', { class: 'n', text: loadFmt(st.load) }),
          el('td', { class: 'n', text: fmtClock(st.from_ms / 1000) + '–' + fmtClock(st.to_ms / 1000) }),
          el('td', { class: 'n', text: fmtNum(st.per_minute, 1) }), el('td', { class: 'n', text: fmtMs(st.reply_p95_ms) })].concat(names.map(function (t) {
          var r = (st.thresholds || []).find(function (x) { return x.name === t.name; });
          return el('td', null, r ? [r.error ? 'error: ' + r.error : r.observed, ' ', el('span', { class: 'tag ' + (r.pass ? 'pass' : 'fail'), text: resultText(r) })] : '–');
        })).concat([el('td', null, el('span', { class: 'tag ' + (st.held ? 'pass' : 'fail'), text: st.held ? 'HELD' : 'BROKE' }))]));
      }))
    ]));
  }

  // crosstalkOf lists the replies that carried another customer's data:
  // where, and whose data by user number and field — never the value.
  function crosstalkOf(data) {
    var ls = data.leaks || [];
    if (!ls.length) return null;
    var n = (((data.summary || {}).metrics || {}).conversations || {}).crosstalk || ls.length;
    return el('section', { class: 'card', id: 'crosstalk' }, [
      el('h2', { class: 'bad', text: 'Cross-talk — ' + fmtNum(n, 0) + (n === 1 ? ' reply' : ' replies') + ' carried another customer\'s data' }),
      el('div', { class: 'muted small', text: 'each reply was checked against every other virtual customer\'s generated data and the payment links sent to other conversations' + (ls.length < n ? '; the first ' + ls.length + ' shown' : '') }),
      el('div', { class: 'scroll-x' }, el('table', { class: 'leaks' }, [
        el('thead', null, el('tr', null, ['Conversation', 'User', 'Persona', 'Turn', 'Carried'].map(function (h, i) { return el('th', { class: i === 1 || i === 3 ? 'n' : null, text: h }); }))),
        el('tbody', null, ls.map(function (l) {
          return el('tr', null, [el('td', null, el('code', { text: l.conversation.slice(0, 8) })), el('td', { class: 'n', text: String(l.user) }),
            el('td', { text: l.persona }), el('td', { class: 'n', text: String(l.turn) }), el('td', { class: 'bad', text: leakText(l.leaked) })]);
        }))
      ]))
    ]);
  }

  function leakText(ls) {
    return (ls || []).map(function (x) { return 'user ' + x.user + '\'s ' + x.field; }).join(', ');
  }

  // replayOf sets, for each replayed conversation that diverged from its
  // recording, the recorded reply beside the new one at the turn where it
  // diverged; nothing when no conversation was replayed or none diverged.
  function replayOf(data) {
    var ds = data.divergences || [];
    var r = (data.summary && data.summary.metrics && data.summary.metrics.replay) || {};
    if (!ds.length) return null;
    var replies = function (ms) {
      var cell = el('td', { class: 'reply' });
      (ms || []).forEach(function (m) { cell.appendChild(messageBubble(m, false)); });
      if (!(ms || []).length) cell.appendChild(el('div', { class: 'note bad', text: 'no reply' }));
      return cell;
    };
    return el('section', { class: 'card', id: 'replay' }, [
      el('h2', { text: 'Replay — ' + fmtNum(r.diverged || ds.length, 0) + ' of ' + fmtNum(r.conversations || ds.length, 0) + ' replayed conversations diverged from the recording' }),
      el('div', { class: 'muted small', text: 'at the first turn whose reply was less similar to the recorded one than the persona\'s divergence' + (ds.length < (r.diverged || 0) ? '; the first ' + ds.length + ' shown' : '') }),
      el('div', { class: 'scroll-x' }, el('table', { class: 'divergences' }, [
        el('thead', null, el('tr', null, ['Conversation', 'Turn', 'Similarity', 'Customer said', 'Recorded reply', 'New reply'].map(function (h, i) { return el('th', { class: i === 1 || i === 2 ? 'n' : null, text: h }); }))),
        el('tbody', null, ds.map(function (d) {
          return el('tr', null, [
            el('td', null, [el('code', { text: d.conversation.slice(0, 8) }), el('div', { class: 'muted small', text: 'user ' + d.user + ' · ' + d.outcome + (d.handed_to ? ' · then ' + d.handed_to : '') })]),
            el('td', { class: 'n', text: String(d.turn) }),
            el('td', { class: 'n', text: fmtNum(d.similarity, 2) }),
            el('td', { text: d.sent }),
            replies(d.recorded),
            replies(d.reply)
          ]);
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
    if (t.replay) foot += ' · ' + (t.replay.matched ? 'as recorded' : 'DIVERGED from the recording') + ' (similarity ' + fmtNum(t.replay.similarity, 2) + ')';
    if (t.burst) { // typed as several messages: which fragments made up the thought, and how often each was answered
      foot += ' · typed as ' + t.burst.fragments.map(function (f) { return (f.follow_up ? 'then ' : '') + '“' + f.text + '” (' + f.replies + ')'; }).join(' · ');
      if (t.burst.answers > 1) foot += ' · answered ' + t.burst.answers + ' times';
    }
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
        if ((t.crosstalk || []).length) f += ' · CROSS-TALK: carried ' + leakText(t.crosstalk);
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
    var timeline = timelineOf(data), hist = histogramsOf(data), convs = conversationsOf(data), capacity = capacityOf(s);
    append(root, [
      headerOf(s),
      thresholdsOf(s),
      kpisOf(s, data.history),
      capacity.node,
      timeline.node,
      hist.node,
      requestsOf(s),
      errorsOf(s),
      crosstalkOf(data),
      replayOf(data),
      personasOf(s),
      faultsOf(s),
      channelOf(s),
      convs.node,
      el('footer', { text: 'voyplan ' + (s.version || '') + ' · generated ' + fmtTime(data.generated_at) + ' · works offline: everything is in this file' })
    ]);
    capacity.draw();
    timeline.draw();
    hist.draw();
    convs.draw();
  }

  global.voyplan = {
    render: render,
    series: seriesOf,
    charts: { line: line, bars: bars },
    parts: { timeline: timelineOf, capacity: capacityOf, requests: requestsOf, personas: personasOf, channel: channelOf, thresholds: thresholdsOf, transcript: transcript, steering: steeringText },
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
