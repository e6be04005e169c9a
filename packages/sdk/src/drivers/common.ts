/** Steps every driver shares: single-value queries, optional queries, registration waits. */
import { createPrivateKey, X509Certificate } from 'node:crypto';
import type { AtClient } from '../at-client.js';
import { AtError, AtTimeoutError } from '../errors.js';
import type { CertificateKind } from '../modem.js';
import { parseInfoLine } from '../params.js';
import { matchesPrefix } from '../urc-prefix.js';

/** The single value a query answers (`Telit`, `+CGSN: 35...`, `#CCID: 89...`). */
export async function queryValue(client: AtClient, command: string): Promise<string> {
  const response = await client.send(command);
  const line = response.lines[0];
  if (line === undefined) throw new AtError(command, [response.finalLine], `${command}: empty response`);
  const info = parseInfoLine(line);
  return info.prefix ? (info.params[0] ?? '') : line.replace(/^"(.*)"$/, '$1');
}

/** Runs a query the module may refuse (no SIM...): a refusal gives undefined; timeouts still throw. */
export async function optionalValue(query: () => Promise<string>): Promise<string | undefined> {
  try {
    return await query();
  } catch (error) {
    if (error instanceof AtError && !(error instanceof AtTimeoutError)) return undefined;
    throw error;
  }
}

/** Registration status in a `+CREG`/`+CGREG`/`+CEREG` read response (`<n>,<stat>,...`) or URC (`<stat>,...`). */
export function registrationStat(line: string): number | undefined {
  const { params, quoted } = parseInfoLine(line);
  const raw = params.length >= 2 && !quoted[1] && params[1] !== '' ? params[1] : params[0];
  const stat = Number(raw);
  return raw !== undefined && raw !== '' && Number.isInteger(stat) ? stat : undefined;
}

const registered = (stat: number | undefined): boolean => stat === 1 || stat === 5;

/**
 * Enables the registration URC of `prefix` (`+CGREG`, `+CEREG`), polls once, and if not yet
 * registered waits for the URC that says so. Nothing sleeps: the wait ends on the URC or
 * the timeout (AtTimeoutError naming the last status).
 */
export async function waitForRegistration(client: AtClient, prefix: '+CREG' | '+CGREG' | '+CEREG', timeoutMs: number): Promise<void> {
  let last: number | undefined;
  const stop = new AbortController();
  const urc = client.watchUrcs([prefix], { timeoutMs, signal: stop.signal, description: `${prefix} registration` }, (line) => {
    last = registrationStat(line) ?? last;
    return registered(last) ? true : undefined;
  });
  urc.catch(() => {});
  try {
    await client.send(`AT${prefix}=1`, { timeoutMs });
    const poll = await client.send(`AT${prefix}?`, { timeoutMs });
    for (const line of poll.lines) if (matchesPrefix(line, prefix)) last = registrationStat(line) ?? last;
    if (registered(last)) return;
    await urc.catch((error: unknown) => {
      if (error instanceof AtTimeoutError) throw new AtTimeoutError('attach (network registration)', timeoutMs, [], `last ${prefix} status ${last ?? 'none'}`);
      throw error;
    });
  } finally {
    stop.abort();
  }
}

/** A deadline shared by the steps of one procedure. */
export function deadline(what: string, timeoutMs: number): (step: string) => number {
  const end = Date.now() + timeoutMs;
  return (step) => {
    const ms = end - Date.now();
    if (ms <= 0) throw new AtTimeoutError(`${what} (${step})`, timeoutMs);
    return ms;
  };
}

const isPem = (data: string | Buffer): boolean => (typeof data === 'string' ? data : data.subarray(0, 64).toString('latin1')).includes('-----BEGIN');

/**
 * Certificate or key material as PEM text with LF line ends (what Telit and Quectel take):
 * DER is converted; keys become `format` (PKCS#1 "RSA PRIVATE KEY" for Telit, whose manual
 * names RSA keys and, on HE910, PKCS#1 only).
 */
export function toPem(kind: CertificateKind, data: string | Buffer, keyFormat: 'pkcs1' | 'as-is'): string {
  let pem: string;
  const text = typeof data === 'string' ? data : data.toString('latin1');
  if (kind === 'private-key' && (keyFormat === 'pkcs1' || !isPem(data))) {
    const key = isPem(data) ? createPrivateKey(text) : createPrivateKey({ key: data as Buffer, format: 'der', type: 'pkcs8' });
    if (keyFormat === 'pkcs1') {
      if (key.asymmetricKeyType !== 'rsa') throw new TypeError(`only RSA private keys can be stored here, not ${key.asymmetricKeyType ?? 'unknown'}`);
      pem = key.export({ type: 'pkcs1', format: 'pem' }) as string;
    } else pem = key.export({ type: 'pkcs8', format: 'pem' }) as string;
  } else {
    pem = isPem(data) ? text : new X509Certificate(data).toString();
  }
  pem = pem.replace(/\r\n/g, '\n');
  return pem.endsWith('\n') ? pem : `${pem}\n`;
}
