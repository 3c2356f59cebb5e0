// Composition root: builds every layer from configuration and wires them together.
import uWS from 'uWebSockets.js';
import { loadEnv } from './config/env.js';
import { createLogger } from './observability/logger.js';
import { listen } from './transport/http-server.js';

async function main(): Promise<void> {
  const env = loadEnv();
  const log = createLogger(env.LOG_LEVEL);

  const app = uWS.App();
  app.get('/healthz', (res) => {
    res.writeHeader('content-type', 'application/json').end('{"status":"ok"}');
  });
  const server = await listen(app, env.HOST, env.PORT, log);
  log.info({ port: server.port }, 'firstring gateway started');

  let stopping = false;
  const stop = (signal: string): void => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'shutting down');
    server.close();
    setTimeout(() => process.exit(0), 50).unref();
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
