// The dashboard's single page (markup and styles); behaviour is in page-script.ts, served as /dashboard/app.js.
export const DASHBOARD_HTML = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>firstring dashboard</title>
<style>
  body { font: 15px/1.45 system-ui, sans-serif; margin: 0; color: #1d232b; background: #f5f6f8; }
  header { display: flex; gap: 1rem; align-items: center; padding: .6rem 1rem; background: #1d232b; color: #fff; }
  header a { color: #cfe3ff; }
  header .grow { flex: 1; }
  main { max-width: 1100px; margin: 1rem auto; padding: 0 1rem; }
  section { background: #fff; border-radius: 8px; padding: 1rem; margin-bottom: 1rem; box-shadow: 0 1px 2px #0002; }
  [hidden] { display: none !important; }
  table { width: 100%; border-collapse: collapse; }
  th, td { text-align: left; padding: .35rem .5rem; border-bottom: 1px solid #e3e6ea; vertical-align: top; }
  tr.call { cursor: pointer; }
  tr.call:hover { background: #f0f4fa; }
  .urgency { display: inline-block; padding: 0 .5rem; border-radius: 1rem; font-weight: 600; font-size: .85em; }
  .urgency-emergency { background: #fde2e1; color: #a61b14; }
  .urgency-urgent { background: #fff0d6; color: #8a5300; }
  .urgency-routine { background: #e0f3e6; color: #1f6b36; }
  .status-sent { color: #1f6b36; } .status-dead { color: #a61b14; font-weight: 600; } .status-pending, .status-sending { color: #8a5300; }
  dl { display: grid; grid-template-columns: max-content 1fr; gap: .25rem 1rem; }
  dt { font-weight: 600; }
  .turn-caller { color: #0b4f9c; } .turn-agent { color: #333; }
  label { display: block; margin: .4rem 0 .1rem; font-weight: 600; }
  input, textarea, select { font: inherit; padding: .3rem; }
  input[type=text], input[type=email], input[type=password], textarea { width: 100%; box-sizing: border-box; }
  .error { color: #a61b14; white-space: pre-wrap; }
  .ok { color: #1f6b36; }
  .hours-row { display: grid; grid-template-columns: 8rem 1fr; align-items: center; gap: .5rem; }
  svg text { font: 11px system-ui, sans-serif; }
</style>
</head>
<body>
<header>
  <strong>firstring</strong><span id="tenant-name"></span><span class="grow"></span>
  <nav id="nav" hidden><a href="#/calls">Calls</a> · <a href="#/settings">Settings</a> · <a href="#" id="logout">Sign out</a></nav>
</header>
<main>
  <section id="login-view" hidden>
    <h1>Sign in</h1>
    <form id="login-form">
      <label for="login-tenant">Company id</label><input id="login-tenant" name="tenantId" type="text" autocomplete="organization" required>
      <label for="login-email">Email</label><input id="login-email" name="email" type="email" autocomplete="username" required>
      <label for="login-password">Password</label><input id="login-password" name="password" type="password" autocomplete="current-password" required>
      <p><button type="submit">Sign in</button></p>
      <p id="login-error" class="error" role="alert"></p>
    </form>
  </section>

  <section id="calls-view" hidden>
    <h1>Today's calls <small id="calls-day"></small></h1>
    <form id="filters">
      <select name="urgency" aria-label="Urgency"><option value="">All urgencies</option><option>emergency</option><option>urgent</option><option>routine</option></select>
      <select name="outcome" aria-label="Outcome"><option value="">All outcomes</option><option>booked</option><option>request_created</option><option>escalated</option><option>transferred</option><option>message_taken</option><option>info_provided</option><option>out_of_area</option><option>abandoned</option></select>
      <select name="trade" aria-label="Trade"><option value="">All trades</option><option>hvac</option><option>plumbing</option><option>electrical</option></select>
    </form>
    <table><thead><tr><th>Time</th><th>Urgency</th><th>Caller</th><th>Problem</th><th>Trade</th><th>Outcome</th></tr></thead><tbody id="calls-body"></tbody></table>
    <p id="calls-empty" hidden>No calls match.</p>
  </section>

  <section id="call-view" hidden>
    <p><a href="#/calls">← All calls</a></p>
    <h1>Call <span id="call-when"></span></h1>
    <dl id="call-summary"></dl>
    <h2>Deliveries</h2>
    <table><thead><tr><th>Target</th><th>Status</th><th>Attempts</th><th>Last error</th></tr></thead><tbody id="call-deliveries"></tbody></table>
    <h2>Latency per turn</h2>
    <div id="call-latency"></div>
    <h2>Transcript</h2>
    <ol id="call-transcript"></ol>
  </section>

  <section id="settings-view" hidden>
    <h1>Settings</h1>
    <form id="settings-form">
      <h2>Opening hours</h2>
      <p>Per day: intervals like <code>08:00-12:00, 13:00-17:00</code>; empty when closed.</p>
      <div id="hours-fields"></div>
      <label for="holidays">Holidays (YYYY-MM-DD, comma separated)</label><input id="holidays" type="text">
      <h2>Service area</h2>
      <label for="postal">Postal prefixes (comma separated)</label><input id="postal" type="text">
      <h2>On call (weekly rotation)</h2>
      <label for="oncall">One per line: name, +15145550123</label><textarea id="oncall" rows="3"></textarea>
      <h2>Notifications</h2>
      <label for="notify-sms">SMS numbers (comma separated)</label><input id="notify-sms" type="text">
      <label for="notify-email">Email addresses (comma separated)</label><input id="notify-email" type="text">
      <label for="notify-webhook">Webhook URL (empty for none)</label><input id="notify-webhook" type="text">
      <label for="notify-secret">Webhook secret (leave empty to keep the current one)</label><input id="notify-secret" type="password" autocomplete="off">
      <p><button type="submit">Save settings</button></p>
      <p id="settings-result" role="status"></p>
    </form>
  </section>
</main>
<script src="/dashboard/app.js"></script>
</body>
</html>
`;
