import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';

/** `npm start` with no configuration serves /healthz and exits 0 on SIGTERM/SIGINT. */
describe('gateway process', () => {
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    it(`starts on embedded defaults and stops cleanly on ${signal}`, async () => {
      const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
        env: { ...process.env, PORT: '0', LOG_LEVEL: 'info' },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let out = '';
      const port = await new Promise<number>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no start: ${out}`)), 20_000);
        child.stdout.on('data', (d: Buffer) => {
          out += d.toString();
          const m = /"port":(\d+),"msg":"firstring gateway started"/.exec(out);
          if (m) {
            clearTimeout(timer);
            resolve(Number(m[1]));
          }
        });
      });
      const res = await fetch(`http://127.0.0.1:${port}/healthz`);
      expect(res.status).toBe(200);
      expect(await res.json()).toMatchObject({ status: 'ok' });
      const code = await new Promise<number | null>((resolve) => {
        child.on('exit', (c) => resolve(c));
        child.kill(signal);
      });
      expect(code).toBe(0);
      expect(out).toContain('"msg":"shutting down"');
    });
  }
});
