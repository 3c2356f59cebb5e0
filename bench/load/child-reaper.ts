import type { ChildProcess } from 'node:child_process';

/**
 * Every child process the bench starts (gateway, stub, bare route, caller workers) is
 * registered here, so an interrupted run (Ctrl-C, SIGTERM, a crash) never leaves them
 * running: on exit each live child gets SIGKILL.
 */
const children = new Set<ChildProcess>();
let installed = false;

export function reapOnExit(child: ChildProcess): void {
  children.add(child);
  child.once('exit', () => children.delete(child));
  if (installed) return;
  installed = true;
  process.once('exit', () => {
    for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  });
  for (const sig of ['SIGINT', 'SIGTERM'] as const) {
    process.once(sig, () => {
      process.stderr.write(`bench: ${sig}, stopping ${children.size} child process(es)\n`);
      process.exit(130);
    });
  }
}
