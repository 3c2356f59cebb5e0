// A real SMTP server (smtp-server) on port 0 that keeps every message it accepts, parsed by mailparser.
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';
import { simpleParser, type ParsedMail } from 'mailparser';

export interface ReceivedMail {
  from: string;
  to: string[];
  user: string | undefined;
  parsed: ParsedMail;
}

export interface TestSmtp {
  port: number;
  mails: ReceivedMail[];
  /** Replies 451 (transient) to the next n messages. */
  failNext(n: number): void;
  close(): Promise<void>;
}

export async function startSmtp(creds: { user: string; pass: string }): Promise<TestSmtp> {
  const mails: ReceivedMail[] = [];
  let failures = 0;
  const server = new SMTPServer({
    disabledCommands: ['STARTTLS'],
    allowInsecureAuth: true,
    authOptional: false,
    logger: false,
    onAuth(auth, _session, cb) {
      if (auth.username === creds.user && auth.password === creds.pass) cb(null, { user: auth.username });
      else cb(new Error('Invalid username or password'));
    },
    onData(stream, session, cb) {
      simpleParser(stream).then((parsed) => {
        if (failures > 0) {
          failures -= 1;
          const err = Object.assign(new Error('Try again later'), { responseCode: 451 });
          cb(err);
          return;
        }
        mails.push({
          from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
          to: session.envelope.rcptTo.map((r) => r.address),
          user: typeof session.user === 'string' ? session.user : undefined,
          parsed,
        });
        cb();
      }, (err: Error) => cb(err));
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.server.address() as AddressInfo;
  return {
    port,
    mails,
    failNext(n) { failures = n; },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
