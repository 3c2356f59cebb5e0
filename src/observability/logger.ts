import { pino, type Logger } from 'pino';

export type { Logger };

/** Secrets never reach the log: these paths are censored wherever they appear. */
const REDACT = [
  '*.apiKey', '*.password', '*.secret', '*.token', '*.authorization',
  'apiKey', 'password', 'secret', 'token', 'authorization',
];

export function createLogger(level: string = process.env.LOG_LEVEL ?? 'info'): Logger {
  return pino({ level, base: { svc: 'firstring' }, redact: { paths: REDACT, censor: '[redacted]' } });
}
