// From the `alerts.smtp` URL and the password sources to the settings of one SMTP
// connection. The password is looked up here, when mail is about to be sent, from
// SPANWATCH_SMTP_PASSWORD or alerts.password_file: never from the config text itself.

import fs from 'node:fs';
import type { AlertConfig } from '../config/alert-config.js';

export interface SMTPSettings {
  host: string;
  port: number;
  /** smtps://: TLS from the first byte. smtp://: STARTTLS when offered (required with AUTH). */
  secure: boolean;
  requireTLS: boolean;
  user: string | null;
  password: string | null;
  /** PEM file of the CA that signed the server's certificate (private CAs), or null. */
  caFile: string | null;
  /** For messages: never holds the password. */
  description: string;
}

export const PASSWORD_ENV = 'SPANWATCH_SMTP_PASSWORD';

/** Throws an Error with a message for the admin when the settings cannot work. */
export function smtpSettings(config: AlertConfig, env: NodeJS.ProcessEnv = process.env): SMTPSettings {
  if (config.smtp === null) throw new Error('alerts.smtp is not set: mail goes to reports/outbox/ as .eml files');
  const u = new URL(config.smtp);
  const secure = u.protocol === 'smtps:';
  const port = u.port === '' ? (secure ? 465 : 587) : Number(u.port);
  const user = u.username === '' ? null : decodeURIComponent(u.username);
  let password: string | null = env[PASSWORD_ENV] ?? null;
  if (password === null && config.passwordFile !== null) {
    try {
      password = fs.readFileSync(config.passwordFile, 'utf8').replace(/\r?\n$/, '');
    } catch (err) {
      throw new Error(`cannot read alerts.password_file ${config.passwordFile}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
    }
  }
  if (user !== null && password === null) {
    throw new Error(`alerts.smtp names user "${user}" but there is no password: set ${PASSWORD_ENV} or alerts.password_file`);
  }
  if (user === null && password !== null && config.passwordFile !== null) {
    throw new Error('a password is set but alerts.smtp names no user: write smtp://user@host:587');
  }
  // A password is never sent in the clear: with AUTH, smtp:// must upgrade with STARTTLS.
  const auth = user !== null && password !== null;
  const host = u.hostname.replace(/^\[(.*)\]$/, '$1');
  const mode = secure ? 'TLS' : auth ? 'STARTTLS required' : 'STARTTLS if offered';
  return {
    host,
    port,
    secure,
    requireTLS: !secure && auth,
    user: auth ? user : null,
    password: auth ? password : null,
    caFile: config.caFile,
    description: `${u.protocol}//${user !== null ? `${user}@` : ''}${u.host} (${mode}${auth ? ', AUTH' : ''})`,
  };
}
