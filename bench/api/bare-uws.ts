/**
 * The ceiling for the API bench: a bare uWebSockets.js app doing the least each route
 * can do. GET /hello answers a constant, POST /json reads the body and answers a small
 * JSON, WS /ws sends one JSON message on open. Prints `BARE <port>`; SIGTERM stops it.
 */
import uWS from 'uWebSockets.js';

const app = uWS.App();
app.get('/hello', (res) => {
  res.writeHeader('content-type', 'text/plain').end('hello');
});
app.post('/json', (res) => {
  let aborted = false;
  res.onAborted(() => {
    aborted = true;
  });
  let size = 0;
  res.onData((chunk, last) => {
    size += chunk.byteLength;
    if (last && !aborted) res.cork(() => res.writeHeader('content-type', 'application/json').end(`{"ok":true,"bytes":${size}}`));
  });
});
app.ws('/ws', {
  open: (ws) => {
    ws.send('{"v":1,"type":"welcome"}');
  },
});
app.listen('127.0.0.1', 0, (token) => {
  if (!token) {
    console.error('bare uWS: cannot listen');
    process.exit(1);
  }
  console.log(`BARE ${uWS.us_socket_local_port(token)}`);
  const stop = (): void => {
    uWS.us_listen_socket_close(token);
    process.exit(0);
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
});
