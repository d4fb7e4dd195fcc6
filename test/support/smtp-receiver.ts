// A real SMTP server for tests (smtp-server on 127.0.0.1), keeping every message it accepts
// both raw and parsed by mailparser. It can refuse messages with a chosen reply, require
// AUTH, and offer STARTTLS with a given certificate. Not a fake transport: spanwatch talks
// SMTP to it over a socket exactly as it would to a mail server.

import { simpleParser, type ParsedMail } from 'mailparser';
import { SMTPServer, type SMTPServerOptions } from 'smtp-server';

export interface ReceivedMail {
  envelope: { from: string; to: string[] };
  raw: Buffer;
  parsed: ParsedMail;
  /** Date.now() when the server accepted it. */
  at: number;
  /** The authenticated user, if any. */
  user: string | null;
  secure: boolean;
}

export interface ReceiverOptions {
  port?: number;
  /** Return a reply such as { code: 550, message: '…' } to refuse the n-th message (0-based). */
  refuse?: (n: number, raw: Buffer) => { code: number; message: string } | null;
  auth?: { user: string; pass: string };
  tls?: { key: Buffer; cert: Buffer };
}

export class SMTPReceiver {
  readonly mails: ReceivedMail[] = [];
  refusals = 0;
  private seen = 0;

  private constructor(
    private readonly server: SMTPServer,
    readonly port: number,
  ) {}

  static async start(opts: ReceiverOptions = {}): Promise<SMTPReceiver> {
    let self: SMTPReceiver | null = null;
    const options: SMTPServerOptions = {
      logger: false,
      closeTimeout: 200,
      secure: false,
      authOptional: opts.auth === undefined,
      disabledCommands: [...(opts.tls ? [] : ['STARTTLS']), ...(opts.auth ? [] : ['AUTH'])],
      ...(opts.tls ? { key: opts.tls.key, cert: opts.tls.cert } : {}),
      onAuth(auth, _session, cb) {
        if (opts.auth && auth.username === opts.auth.user && auth.password === opts.auth.pass) cb(null, { user: auth.username });
        else cb(Object.assign(new Error('authentication failed'), { responseCode: 535 }));
      },
      onData(stream, session, cb) {
        const chunks: Buffer[] = [];
        stream.on('data', (c: Buffer) => chunks.push(c));
        stream.on('end', () => {
          const raw = Buffer.concat(chunks);
          const n = self!.seen++;
          const refusal = opts.refuse?.(n, raw) ?? null;
          if (refusal) {
            self!.refusals++;
            cb(Object.assign(new Error(refusal.message), { responseCode: refusal.code }));
            return;
          }
          const at = Date.now();
          simpleParser(raw).then(
            (parsed) => {
              self!.mails.push({
                envelope: {
                  from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
                  to: session.envelope.rcptTo.map((r) => r.address),
                },
                raw,
                parsed,
                at,
                user: typeof session.user === 'string' ? session.user : null,
                secure: session.secure,
              });
              cb(null);
            },
            (err: Error) => cb(err),
          );
        });
      },
    };
    const server = new SMTPServer(options);
    const port = await new Promise<number>((resolve, reject) => {
      server.on('error', reject);
      server.listen(opts.port ?? 0, '127.0.0.1', () => {
        const addr = server.server.address();
        resolve(typeof addr === 'object' && addr ? addr.port : 0);
      });
    });
    self = new SMTPReceiver(server, port);
    return self;
  }

  stop(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  /** Waits until pred holds for the mails received; rejects after timeoutMs. */
  async waitFor(pred: (mails: readonly ReceivedMail[]) => boolean, timeoutMs: number): Promise<void> {
    const until = Date.now() + timeoutMs;
    while (!pred(this.mails)) {
      if (Date.now() > until) throw new Error(`timed out after ${timeoutMs} ms with ${this.mails.length} mails received`);
      await new Promise((r) => setTimeout(r, 20));
    }
  }
}

/** RFC 4180 CSV into rows of cells (quoted cells may hold commas, quotes and line breaks). */
export function parseCSV(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (c === '"') quoted = false;
      else cell += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      row.push(cell);
      cell = '';
    } else if (c === '\n' || (c === '\r' && text[i + 1] === '\n')) {
      if (c === '\r') i++;
      row.push(cell);
      rows.push(row);
      row = [];
      cell = '';
    } else cell += c;
  }
  if (cell !== '' || row.length > 0) rows.push([...row, cell]);
  return rows;
}

/** The findings a mail carries, as CSV records (from its attachments), keyed by header. */
export function mailRecords(mail: ReceivedMail): Record<string, string>[] {
  const out: Record<string, string>[] = [];
  for (const a of mail.parsed.attachments) {
    if (!a.filename?.endsWith('.csv')) continue;
    const [head, ...rows] = parseCSV(a.content.toString('utf8'));
    for (const r of rows) out.push(Object.fromEntries(head!.map((h, i) => [h, r[i] ?? ''])));
  }
  return out;
}
