import type { ChildProcessWithoutNullStreams } from 'node:child_process';

/**
 * Ends a pooled engine process: closes its stdin (the shims exit on end of input) and kills it
 * if it has not exited after `killAfterMs`. Resolves when it has exited (at once if it already had).
 */
export function endChildProcess(proc: ChildProcessWithoutNullStreams, killAfterMs = 1000): Promise<void> {
  return new Promise((resolve) => {
    if (proc.exitCode !== null || proc.signalCode !== null) return resolve();
    proc.once('exit', () => resolve());
    proc.stdin.end();
    setTimeout(() => proc.kill(), killAfterMs).unref();
  });
}
