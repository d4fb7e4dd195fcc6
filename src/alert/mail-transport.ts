// The seam between the outbox and whatever carries mail (DESIGN rule 8): the outbox hands
// over an already encoded RFC 5322 message and an envelope, and learns whether the server
// accepted it, refused it for good (5xx) or failed in a way worth retrying.
// The one real implementation is nodemailer-adapter.ts; tests use a real SMTP receiver.

export interface Envelope {
  from: string;
  to: readonly string[];
}

export interface SendResult {
  /** The server's final reply, e.g. `250 2.0.0 Ok: queued as 4F1D2`. */
  response: string;
  accepted: string[];
  rejected: string[];
}

/** A failed send. `permanent`: the server refused the message for good (5xx, not 503). */
export class SendError extends Error {
  constructor(
    message: string,
    readonly permanent: boolean,
    readonly responseCode: number | null,
    /** No SMTP reply at all (refused, reset, timeout): the server is away, not this message. */
    readonly connection: boolean,
  ) {
    super(message);
    this.name = 'SendError';
  }
}

export interface MailTransport {
  /** Where mail goes, for messages: `smtp://mail.example.org:587 (STARTTLS)`. */
  readonly description: string;
  send(envelope: Envelope, raw: Buffer): Promise<SendResult>;
  /** Closes pooled connections; pending sends fail. */
  close(): void;
}
