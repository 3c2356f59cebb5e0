/*
 * firstring click-to-call widget. Dependency-free; paste into any page:
 *   <script src="https://GATEWAY/widget.js" data-tenant="demo"></script>
 * Protocol: docs/signaling.md. Events: `firstring:state` and `firstring:transcript`
 * are dispatched on window with the details in `event.detail`.
 */
(function () {
  'use strict';
  var script = document.currentScript;
  if (!script) return;
  var tenant = script.getAttribute('data-tenant') || 'demo';
  var gateway = new URL(script.src, location.href).origin;

  var LABELS = {
    en: {
      call: 'Call us', hangup: 'Hang up', mute: 'Mute', unmute: 'Unmute',
      idle: 'Talk to us now, right from your browser.', connecting: 'Connecting…', talking: 'Connected. Go ahead, we are listening.',
      ended: 'Call ended. Thank you!', micDenied: 'Microphone access was denied. Allow it in your browser to call us.',
      noMic: 'No microphone was found.', failed: 'The call could not be connected. Please try again.', level: 'Microphone level',
    },
    fr: {
      call: 'Appelez-nous', hangup: 'Raccrocher', mute: 'Couper le micro', unmute: 'Activer le micro',
      idle: 'Parlez-nous maintenant, depuis votre navigateur.', connecting: 'Connexion…', talking: 'Connecté. Allez-y, nous vous écoutons.',
      ended: 'Appel terminé. Merci !', micDenied: "L'accès au micro a été refusé. Autorisez-le dans votre navigateur pour nous appeler.",
      noMic: 'Aucun micro trouvé.', failed: "L'appel n'a pas pu être établi. Veuillez réessayer.", level: 'Niveau du micro',
    },
  };
  var lang = (document.documentElement.lang || navigator.language || 'en').toLowerCase().indexOf('fr') === 0 ? 'fr' : 'en';
  var t = LABELS[lang];

  var host = document.createElement('div');
  host.setAttribute('data-firstring-widget', tenant);
  var root = host.attachShadow({ mode: 'open' });
  root.innerHTML =
    '<style>' +
    ':host{all:initial;position:fixed;right:20px;bottom:20px;z-index:2147483000;font:14px/1.4 system-ui,sans-serif;color:#1b1b1b}' +
    '.box{background:#fff;border-radius:12px;box-shadow:0 4px 24px rgba(0,0,0,.18);padding:14px;width:260px}' +
    'button{font:inherit;border:0;border-radius:8px;padding:10px 14px;cursor:pointer}' +
    '.call{background:#0a7c2f;color:#fff;width:100%;font-weight:600}.hang{background:#c62828;color:#fff}.mute{background:#eee}' +
    '.row{display:flex;gap:8px;margin-top:10px}.row[hidden]{display:none}' +
    '.meter{height:6px;background:#eee;border-radius:3px;overflow:hidden;margin-top:10px}.meter>i{display:block;height:100%;width:0;background:#0a7c2f}' +
    '.status{margin:8px 0 0;font-size:13px;color:#444}' +
    '</style>' +
    '<div class="box" part="box">' +
    '<button class="call" data-firstring="call"></button>' +
    '<div class="row" hidden><button class="mute" data-firstring="mute"></button><button class="hang" data-firstring="hangup"></button></div>' +
    '<div class="meter" role="meter" aria-valuemin="0" aria-valuemax="100" aria-valuenow="0"><i></i></div>' +
    '<p class="status" role="status" aria-live="polite" data-firstring="status"></p>' +
    '<audio data-firstring="remote" autoplay></audio>' +
    '</div>';
  var el = function (sel) { return root.querySelector(sel); };
  var callBtn = el('[data-firstring=call]');
  var muteBtn = el('[data-firstring=mute]');
  var hangBtn = el('[data-firstring=hangup]');
  var row = el('.row');
  var status = el('[data-firstring=status]');
  var meter = el('.meter');
  var bar = el('.meter>i');
  var audioEl = el('[data-firstring=remote]');
  callBtn.textContent = t.call;
  muteBtn.textContent = t.mute;
  hangBtn.textContent = t.hangup;
  meter.setAttribute('aria-label', t.level);
  status.textContent = t.idle;

  var call = null;
  var api = { state: 'idle', pc: null, callId: null, call: start, hangup: hangup, toggleMute: toggleMute };
  window.firstringWidget = api;

  function setState(state, message) {
    api.state = state;
    host.setAttribute('data-state', state);
    status.textContent = message || t[state] || '';
    callBtn.hidden = state === 'connecting' || state === 'talking';
    row.hidden = !(state === 'connecting' || state === 'talking');
    window.dispatchEvent(new CustomEvent('firstring:state', { detail: { state: state, callId: api.callId } }));
  }

  function send(msg) {
    msg.v = 1;
    if (call && call.ws && call.ws.readyState === 1) call.ws.send(JSON.stringify(msg));
  }

  function start() {
    if (call) return;
    call = { ws: null, pc: null, mic: null, meterStop: null, pendingCandidates: [], remoteSet: false, ended: false };
    var c = call;
    setState('connecting');
    var micP = navigator.mediaDevices.getUserMedia({ audio: { echoCancellation: true, noiseSuppression: true, autoGainControl: true, channelCount: 1 } });
    micP.then(function (mic) {
      c.mic = mic;
      c.meterStop = startMeter(mic);
      return fetch(gateway + '/api/v1/tokens', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ tenant: tenant }) });
    }).then(function (res) {
      if (!res.ok) throw new Error('token ' + res.status);
      return res.json();
    }).then(function (tok) {
      if (c.ended) return;
      var ws = new WebSocket(gateway.replace(/^http/, 'ws') + '/ws/webrtc?token=' + encodeURIComponent(tok.token));
      c.ws = ws;
      ws.onmessage = function (ev) { onMessage(c, JSON.parse(ev.data)); };
      ws.onclose = function () { finish(c, c.failed ? t.failed : t.ended); };
      ws.onerror = function () { c.failed = true; };
    }).catch(function (err) {
      var name = err && err.name;
      finish(c, name === 'NotAllowedError' || name === 'SecurityError' ? t.micDenied : name === 'NotFoundError' ? t.noMic : t.failed);
    });
  }

  function onMessage(c, m) {
    if (c.ended) return;
    switch (m.type) {
      case 'welcome':
        api.callId = m.callId;
        openPeer(c, m.iceServers || []);
        break;
      case 'answer':
        c.pc.setRemoteDescription({ type: 'answer', sdp: m.sdp }).then(function () {
          c.remoteSet = true;
          c.pendingCandidates.splice(0).forEach(function (cand) { c.pc.addIceCandidate(cand).catch(function () {}); });
        });
        break;
      case 'candidate':
        if (!m.candidate) break;
        if (c.remoteSet) c.pc.addIceCandidate(m.candidate).catch(function () {});
        else c.pendingCandidates.push(m.candidate);
        break;
      case 'state':
        if (m.state === 'connected') setState('talking');
        else if (m.state === 'ended') finish(c, t.ended);
        break;
      case 'transcript':
        window.dispatchEvent(new CustomEvent('firstring:transcript', { detail: { role: m.role, text: m.text, final: m.final, at: m.at } }));
        break;
      case 'error':
        if (m.code === 'call_failed' || m.code === 'over_capacity') c.failed = true;
        break;
    }
  }

  function openPeer(c, iceServers) {
    var pc = new RTCPeerConnection({ iceServers: iceServers, bundlePolicy: 'max-bundle' });
    c.pc = pc;
    api.pc = pc;
    c.mic.getAudioTracks().forEach(function (track) { pc.addTrack(track, c.mic); });
    pc.ontrack = function (ev) {
      audioEl.srcObject = ev.streams[0] || new MediaStream([ev.track]);
      var p = audioEl.play();
      if (p && p.catch) p.catch(function () {});
    };
    pc.onicecandidate = function (ev) { send({ type: 'candidate', candidate: ev.candidate ? ev.candidate.toJSON() : null }); };
    pc.onconnectionstatechange = function () { if (pc.connectionState === 'failed') { c.failed = true; hangup(); } };
    pc.createOffer().then(function (offer) { return pc.setLocalDescription(offer); }).then(function () {
      send({ type: 'offer', sdp: pc.localDescription.sdp });
    }).catch(function () { c.failed = true; hangup(); });
  }

  function startMeter(stream) {
    var Ctx = window.AudioContext || window.webkitAudioContext;
    if (!Ctx) return function () {};
    var ctx = new Ctx();
    var src = ctx.createMediaStreamSource(stream);
    var an = ctx.createAnalyser();
    an.fftSize = 512;
    src.connect(an);
    var buf = new Float32Array(an.fftSize);
    var raf = 0;
    (function tick() {
      an.getFloatTimeDomainData(buf);
      var sum = 0;
      for (var i = 0; i < buf.length; i++) sum += buf[i] * buf[i];
      var db = 20 * Math.log10(Math.sqrt(sum / buf.length) || 1e-6);
      var pct = Math.max(0, Math.min(100, Math.round((db + 60) * (100 / 60))));
      bar.style.width = pct + '%';
      meter.setAttribute('aria-valuenow', String(pct));
      raf = requestAnimationFrame(tick);
    })();
    return function () { cancelAnimationFrame(raf); ctx.close(); bar.style.width = '0'; };
  }

  function toggleMute() {
    if (!call || !call.mic) return;
    var track = call.mic.getAudioTracks()[0];
    if (!track) return;
    track.enabled = !track.enabled;
    muteBtn.textContent = track.enabled ? t.mute : t.unmute;
    muteBtn.setAttribute('aria-pressed', String(!track.enabled));
  }

  function hangup() {
    if (!call) return;
    send({ type: 'hangup' });
    finish(call, call.failed ? t.failed : t.ended);
  }

  function finish(c, message) {
    if (c.ended) return;
    c.ended = true;
    if (c.meterStop) c.meterStop();
    if (c.mic) c.mic.getTracks().forEach(function (tr) { tr.stop(); });
    if (c.pc) c.pc.close();
    if (c.ws && c.ws.readyState <= 1) c.ws.close(1000);
    if (call === c) call = null;
    muteBtn.textContent = t.mute;
    setState('ended', message);
  }

  callBtn.addEventListener('click', start);
  hangBtn.addEventListener('click', hangup);
  muteBtn.addEventListener('click', toggleMute);
  window.addEventListener('pagehide', hangup);
  (document.body || document.documentElement).appendChild(host);
  setState('idle');
})();
