// The one module that imports nodemailer (DESIGN rule 8): it encodes an AlertMail into an
// RFC 5322 message (MailComposer) and sends encoded messages over pooled SMTP. Everything
// else in src/alert/ sees only AlertMail, Buffer and the MailTransport seam.
//
// nodemailer itself is imported on first use (the first message rendered or sent), not at
// start-up: it takes about 90 ms to load, and a run that never composes a mail (no
// findings, or no `alerts:`) should not pay for it.

import fs from 'node:fs';
import type { Transporter } from 'nodemailer';
import type SMTPPool from 'nodemailer/lib/smtp-pool';
import type { AlertMail } from './alert-mail.js';
import { SendError, type Envelope, type MailTransport, type SendResult } from './mail-transport.js';
import type { SMTPSettings } from './smtp-settings.js';

// Short timeouts: a dead server must fail fast so the outbox can back off and retry,
// instead of a send hanging for nodemailer's default of minutes.
const CONNECTION_TIMEOUT_MS = 10_000;
const GREETING_TIMEOUT_MS = 10_000;
const SOCKET_TIMEOUT_MS = 30_000;

type Pool = Transporter<SMTPPool.SentMessageInfo, SMTPPool.Options>;

/** Encodes the mail as it will be stored in the outbox and sent, byte for byte. */
export async function renderMessage(mail: AlertMail): Promise<Buffer> {
  const headers: Record<string, string> = {
    // RFC 3834: tells vacation responders and ticket systems not to answer.
    'Auto-Submitted': 'auto-generated',
    'X-Auto-Response-Suppress': 'All',
  };
  if (mail.urgent) {
    headers['Importance'] = 'high';
    headers['X-Priority'] = '1 (Highest)';
    headers['X-MSMail-Priority'] = 'High';
  }
  const { default: MailComposer } = await import('nodemailer/lib/mail-composer');
  const composer = new MailComposer({
    from: mail.from,
    to: [...mail.to],
    subject: mail.subject,
    messageId: mail.messageId,
    date: mail.date,
    text: mail.text,
    html: mail.html,
    headers,
    attachments: mail.attachments.map((a) => ({ filename: a.filename, content: a.content, contentType: a.contentType })),
    // Content is always given inline: never let a value be read as a path or a URL.
    disableFileAccess: true,
    disableUrlAccess: true,
  });
  return composer.compile().build();
}

interface NodemailerErrorLike {
  message: string;
  code?: string;
  responseCode?: number;
  permanent?: boolean;
  response?: string;
}

function toSendError(err: unknown): SendError {
  const e = err as NodemailerErrorLike;
  const code = typeof e.responseCode === 'number' ? e.responseCode : null;
  // nodemailer 10 sets `permanent` from the reply class (5xx except 503); older ones do not.
  const permanent = typeof e.permanent === 'boolean' ? e.permanent : code !== null && code >= 500 && code < 600 && code !== 503;
  const message = e.response ?? `${e.code ? `${e.code}: ` : ''}${e.message}`;
  return new SendError(message, permanent, code, code === null);
}

export function createSMTPTransport(s: SMTPSettings): MailTransport {
  const options: SMTPPool.Options = {
    pool: true,
    maxConnections: 1,
    maxMessages: 100,
    host: s.host,
    port: s.port,
    secure: s.secure,
    requireTLS: s.requireTLS,
    auth: s.user !== null && s.password !== null ? { user: s.user, pass: s.password } : undefined,
    tls: s.caFile !== null ? { ca: fs.readFileSync(s.caFile), servername: s.host } : { servername: s.host },
    connectionTimeout: CONNECTION_TIMEOUT_MS,
    greetingTimeout: GREETING_TIMEOUT_MS,
    socketTimeout: SOCKET_TIMEOUT_MS,
    disableFileAccess: true,
    disableUrlAccess: true,
  };
  // The pool is made on the first send (nodemailer is loaded then); close() before that
  // leaves nothing to close, and a send after close() fails as a closed pool's does.
  let transporter: Pool | null = null;
  let closed = false;
  const open = async (): Promise<Pool> => {
    const { default: nodemailer } = await import('nodemailer');
    if (transporter === null) {
      transporter = nodemailer.createTransport(options);
      if (closed) transporter.close();
    }
    return transporter;
  };
  return {
    description: s.description,
    async send(envelope: Envelope, raw: Buffer): Promise<SendResult> {
      try {
        const info = await (await open()).sendMail({ envelope: { from: envelope.from, to: [...envelope.to] }, raw });
        const list = (v: unknown): string[] => (Array.isArray(v) ? v.map((x) => (typeof x === 'string' ? x : String((x as { address?: string }).address ?? x))) : []);
        return { response: String(info.response ?? ''), accepted: list(info.accepted), rejected: list(info.rejected) };
      } catch (err) {
        throw toSendError(err);
      }
    },
    close() {
      closed = true;
      transporter?.close();
    },
  };
}
