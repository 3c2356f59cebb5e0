// firstring staff dashboard (plain browser script; all text is inserted with textContent).
'use strict';
(() => {
  const $ = (id) => document.getElementById(id);
  const DAYS = ['monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday', 'sunday'];
  const views = ['login-view', 'calls-view', 'call-view', 'settings-view'];
  let me = null;

  function show(view) {
    for (const v of views) $(v).hidden = v !== view;
    $('nav').hidden = !me;
  }

  function el(tag, attrs, ...children) {
    const e = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (k === 'class') e.className = v;
      else if (k.startsWith('data-')) e.setAttribute(k, v);
      else e[k] = v;
    }
    for (const c of children) e.append(c instanceof Node ? c : document.createTextNode(c == null ? '' : String(c)));
    return e;
  }

  async function api(method, path, body) {
    const r = await fetch(path, {
      method,
      credentials: 'same-origin',
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const data = await r.json().catch(() => ({}));
    if (r.status === 401 && path !== '/dashboard/api/login') { me = null; show('login-view'); }
    if (!r.ok) throw Object.assign(new Error(data.error || ('HTTP ' + r.status)), { status: r.status });
    return data;
  }

  const timeOf = (iso) => new Date(iso).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit', timeZone: me.timeZone });
  const urgencyBadge = (u) => el('span', { class: 'urgency urgency-' + (u || 'none') }, u || '—');

  // ---- calls list
  async function loadCalls() {
    show('calls-view');
    const q = new URLSearchParams();
    for (const [k, v] of new FormData($('filters'))) if (v) q.set(k, String(v));
    const data = await api('GET', '/dashboard/api/calls?' + q);
    $('calls-day').textContent = data.day;
    const body = $('calls-body');
    body.replaceChildren(...data.calls.map((c) => {
      const tr = el('tr', { class: 'call urgency-row-' + (c.urgency || 'none'), 'data-call-id': c.id, 'data-urgency': c.urgency || '' },
        el('td', {}, timeOf(c.startedAt)),
        el('td', {}, urgencyBadge(c.urgency)),
        el('td', {}, (c.callerName || 'Unknown caller') + (c.callerNumber ? ' · ' + c.callerNumber : '')),
        el('td', {}, c.problem || ''),
        el('td', {}, c.trade || ''),
        el('td', { class: 'outcome' }, c.status === 'active' ? 'in progress' : (c.outcome || c.endReason || '')));
      tr.addEventListener('click', () => { location.hash = '#/call/' + encodeURIComponent(c.id); });
      return tr;
    }));
    $('calls-empty').hidden = data.calls.length > 0;
  }

  // ---- one call
  const STAGES = [
    ['endOfUtteranceDelayMs', 'End of utterance', '#7a8ca3'],
    ['transcriptionDelayMs', 'Transcription', '#4f86c6'],
    ['llmTtftMs', 'LLM first token', '#d08b2c'],
    ['ttsTtfbMs', 'TTS first audio', '#3f9e5a'],
  ];

  function waterfall(turns) {
    const NS = 'http://www.w3.org/2000/svg';
    const rows = turns.filter((t) => t.latency);
    if (rows.length === 0) return el('p', { id: 'latency-none' }, 'No latency figures for this call (text conversations have none).');
    const max = Math.max(1, ...rows.map((t) => Math.max(t.latency.endToEndMs || 0, STAGES.reduce((s, [k]) => s + (t.latency[k] || 0), 0))));
    const left = 70, width = 560, rowH = 22, top = 24;
    const svg = document.createElementNS(NS, 'svg');
    svg.setAttribute('id', 'latency-chart');
    svg.setAttribute('role', 'img');
    svg.setAttribute('aria-label', 'Latency waterfall per agent turn');
    svg.setAttribute('width', String(left + width + 90));
    svg.setAttribute('height', String(top + rows.length * rowH + 30));
    const add = (tag, attrs, text) => {
      const n = document.createElementNS(NS, tag);
      for (const [k, v] of Object.entries(attrs)) n.setAttribute(k, String(v));
      if (text !== undefined) n.textContent = text;
      svg.append(n);
      return n;
    };
    STAGES.forEach(([, label, color], i) => {
      add('rect', { x: left + i * 140, y: 4, width: 10, height: 10, fill: color });
      add('text', { x: left + i * 140 + 14, y: 13 }, label);
    });
    const scale = (ms) => (ms / max) * width;
    rows.forEach((t, i) => {
      const y = top + i * rowH;
      add('text', { x: 0, y: y + 14 }, 'Turn ' + (i + 1));
      let x = 0;
      for (const [k, label, color] of STAGES) {
        const v = t.latency[k];
        if (typeof v !== 'number') continue;
        const bar = add('rect', { x: left + scale(x), y: y + 3, width: Math.max(1, scale(v)), height: rowH - 8, fill: color, 'data-stage': k, 'data-ms': v });
        const tip = document.createElementNS(NS, 'title');
        tip.textContent = label + ': ' + v + ' ms';
        bar.append(tip);
        x += v;
      }
      if (typeof t.latency.endToEndMs === 'number') {
        const ex = left + scale(t.latency.endToEndMs);
        add('line', { x1: ex, x2: ex, y1: y + 1, y2: y + rowH - 3, stroke: '#a61b14', 'stroke-width': 2, 'data-stage': 'endToEndMs' });
        add('text', { x: ex + 4, y: y + 14 }, t.latency.endToEndMs + ' ms');
      }
    });
    add('text', { x: left, y: top + rows.length * rowH + 16 }, '0 ms');
    add('text', { x: left + width - 40, y: top + rows.length * rowH + 16 }, Math.round(max) + ' ms');
    return svg;
  }

  async function loadCall(id) {
    show('call-view');
    const { call, deliveries } = await api('GET', '/dashboard/api/calls/' + encodeURIComponent(id));
    const s = call.summary;
    $('call-when').textContent = new Date(call.startedAt).toLocaleString([], { timeZone: me.timeZone });
    const fields = [
      ['Urgency', s ? urgencyBadge(s.urgency) : '—'],
      ['Outcome', s ? s.outcome : (call.status === 'active' ? 'in progress' : call.endReason || '')],
      ['Caller', s ? (s.caller.name || 'Unknown') : ''],
      ['Callback number', (s && s.caller.phone) || call.callerNumber || ''],
      ['Address', s ? [s.serviceAddress.line, s.serviceAddress.postalCode].filter(Boolean).join(', ') : ''],
      ['Problem', s ? (s.problem || '') : ''],
      ['Trade', s ? (s.trade || '') : ''],
      ['Preferred time', s ? (s.preferredTime || '') : ''],
      ['Appointment', s && s.appointment ? new Date(s.appointment.start).toLocaleString([], { timeZone: me.timeZone }) + ' with ' + s.appointment.technician : ''],
      ['Transferred to', call.transferTarget ? call.transferTarget + (call.transferOutcome ? ' (' + call.transferOutcome + ')' : '') : ''],
      ['Follow-ups', s ? s.followUps.join(' · ') : ''],
      ['Channel', call.channel],
      ['Ended', call.endReason || ''],
    ];
    $('call-summary').replaceChildren(...fields.flatMap(([k, v]) => [el('dt', {}, k), el('dd', { 'data-field': k }, v)]));
    $('call-deliveries').replaceChildren(...(deliveries.length ? deliveries.map((d) => {
      const status = el('td', { class: 'status-' + d.status }, d.status);
      if (d.status === 'dead') {
        const b = el('button', { type: 'button' }, 'Retry');
        b.addEventListener('click', async () => { await api('POST', '/dashboard/api/deliveries/' + d.id + '/redeliver?call=' + encodeURIComponent(call.id), {}); void loadCall(id); });
        status.append(' ', b);
      }
      return el('tr', { 'data-delivery': d.targetKind }, el('td', {}, d.targetKind + ' → ' + d.targetLabel), status, el('td', {}, d.attempts), el('td', {}, d.lastError || ''));
    }) : [el('tr', {}, el('td', { colSpan: 4 }, 'No notifications for this call.'))]));
    $('call-latency').replaceChildren(waterfall(call.turns));
    $('call-transcript').replaceChildren(...(call.transcriptPurgedAt
      ? [el('li', {}, 'Transcript deleted after the retention period.')]
      : call.turns.map((t) => el('li', { class: 'turn-' + t.speaker }, el('strong', {}, t.speaker === 'caller' ? 'Caller: ' : 'Agent: '), t.text))));
  }

  // ---- settings
  const list = (s) => s.split(',').map((x) => x.trim()).filter(Boolean);
  function parseIntervals(text) {
    return list(text).map((part) => {
      const m = /^(\d{1,2}:\d{2})\s*-\s*(\d{1,2}:\d{2})$/.exec(part);
      return m ? { open: m[1].padStart(5, '0'), close: m[2].padStart(5, '0') } : { open: part, close: '' };
    });
  }

  async function loadSettings() {
    show('settings-view');
    $('settings-result').textContent = '';
    const s = await api('GET', '/dashboard/api/settings');
    $('hours-fields').replaceChildren(...DAYS.map((d) => el('div', { class: 'hours-row' },
      el('label', { htmlFor: 'hours-' + d }, d[0].toUpperCase() + d.slice(1)),
      el('input', { id: 'hours-' + d, type: 'text', value: (s.hours[d] || []).map((i) => i.open + '-' + i.close).join(', ') }))));
    $('holidays').value = (s.holidays || []).join(', ');
    $('postal').value = s.postalPrefixes.join(', ');
    $('oncall').value = s.onCall.map((o) => o.name + ', ' + o.phone).join('\n');
    $('notify-sms').value = s.notifications.sms.join(', ');
    $('notify-email').value = s.notifications.email.join(', ');
    $('notify-webhook').value = s.notifications.webhook ? s.notifications.webhook.url : '';
    $('notify-secret').value = '';
  }

  async function saveSettings(ev) {
    ev.preventDefault();
    const out = $('settings-result');
    const hours = {};
    for (const d of DAYS) hours[d] = parseIntervals($('hours-' + d).value);
    const url = $('notify-webhook').value.trim();
    const body = {
      hours,
      holidays: list($('holidays').value),
      postalPrefixes: list($('postal').value),
      onCall: $('oncall').value.split('\n').map((l) => l.trim()).filter(Boolean).map((l) => {
        const i = l.lastIndexOf(',');
        return { name: i < 0 ? l : l.slice(0, i).trim(), phone: i < 0 ? '' : l.slice(i + 1).trim() };
      }),
      notifications: { sms: list($('notify-sms').value), email: list($('notify-email').value), webhook: url ? { url, secret: $('notify-secret').value } : null },
    };
    try {
      await api('PUT', '/dashboard/api/settings', body);
      out.className = 'ok';
      out.textContent = 'Saved. The receptionist uses the new settings now.';
    } catch (err) {
      out.className = 'error';
      out.textContent = 'Not saved: ' + err.message;
    }
  }

  // ---- routing
  async function route() {
    try {
      if (!me) me = await api('GET', '/dashboard/api/me');
    } catch {
      me = null;
      show('login-view');
      return;
    }
    $('tenant-name').textContent = me.tenantName + ' · ' + me.email;
    const h = location.hash;
    try {
      if (h.startsWith('#/call/')) await loadCall(decodeURIComponent(h.slice(7)));
      else if (h === '#/settings') await loadSettings();
      else await loadCalls();
    } catch (err) {
      if (err.status !== 401) alert(err.message);
    }
  }

  $('login-form').addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const f = new FormData(ev.target);
    try {
      await api('POST', '/dashboard/api/login', { tenantId: f.get('tenantId'), email: f.get('email'), password: f.get('password') });
      $('login-error').textContent = '';
      me = null;
      location.hash = '#/calls';
      await route();
    } catch (err) {
      $('login-error').textContent = err.message;
    }
  });
  $('logout').addEventListener('click', async (ev) => {
    ev.preventDefault();
    await api('POST', '/dashboard/api/logout', {}).catch(() => undefined);
    me = null;
    $('tenant-name').textContent = '';
    show('login-view');
  });
  $('filters').addEventListener('change', () => void loadCalls());
  $('settings-form').addEventListener('submit', saveSettings);
  window.addEventListener('hashchange', () => void route());
  // New calls appear without a reload while the list is open.
  setInterval(() => { if (me && !$('calls-view').hidden) void loadCalls().catch(() => undefined); }, 15000);
  void route();
})();
