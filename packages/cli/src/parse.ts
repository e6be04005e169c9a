import net from 'node:net';

export interface HostPort {
  host: string;
  port: number;
}

/** The lab console's address, `--console` or the config's `console.listen`: HOST:PORT, or PORT alone on 127.0.0.1. */
export function parseConsoleListen(text: string): HostPort {
  return /^\d+$/.test(text.trim()) ? parseHostPort(`127.0.0.1:${text.trim()}`) : parseHostPort(text);
}

/** 'HOST:PORT' or '[IPv6]:PORT' -> { host, port }; port 0..65535 (0 = any free port). */
export function parseHostPort(text: string): HostPort {
  const s = text.trim();
  let host: string;
  let portText: string;
  const v6 = /^\[([^\]]+)\]:(\d+)$/.exec(s);
  if (v6) {
    host = v6[1]!;
    portText = v6[2]!;
    if (net.isIPv6(host) === false) throw new Error(`invalid IPv6 address in '${text}'`);
  } else {
    const i = s.lastIndexOf(':');
    if (i <= 0) throw new Error(`expected HOST:PORT, got '${text}'`);
    host = s.slice(0, i);
    portText = s.slice(i + 1);
    if (host.includes(':')) throw new Error(`write IPv6 addresses as [ADDR]:PORT, got '${text}'`);
  }
  if (!/^\d{1,5}$/.test(portText)) throw new Error(`invalid port in '${text}'`);
  const port = Number(portText);
  if (port > 65535) throw new Error(`port out of range (0-65535) in '${text}'`);
  if (!/^[A-Za-z0-9.\-_:%]+$/.test(host)) throw new Error(`invalid host in '${text}'`);
  return { host, port };
}

/** { host, port } -> 'HOST:PORT' ('[v6]:PORT' for IPv6). */
export function formatHostPort({ host, port }: HostPort): string {
  return net.isIPv6(host) ? `[${host}]:${port}` : `${host}:${port}`;
}

/**
 * 'NAME=IP[,NAME=IP...]' -> { NAME: IP }. Merges into `previous` so the option can be
 * repeated. Names are host names; values must be IPv4 or IPv6 addresses.
 */
export function parseHosts(text: string, previous: Record<string, string> = {}): Record<string, string> {
  const out: Record<string, string> = { ...previous };
  for (const raw of text.split(',')) {
    const item = raw.trim();
    if (!item) continue;
    const eq = item.indexOf('=');
    if (eq <= 0) throw new Error(`expected NAME=IP, got '${item}'`);
    const name = item.slice(0, eq).trim();
    const ip = item.slice(eq + 1).trim();
    if (!/^[A-Za-z0-9]([A-Za-z0-9\-_.]*[A-Za-z0-9])?$/.test(name)) throw new Error(`invalid host name '${name}'`);
    if (net.isIP(ip) === 0) throw new Error(`invalid IP address '${ip}' for ${name}`);
    out[name] = ip;
  }
  if (Object.keys(out).length === 0) throw new Error(`expected NAME=IP[,NAME=IP...], got '${text}'`);
  return out;
}

/**
 * `IP:PORT=IP:PORT[,...]` (for --forward): the modules' TCP connects to the first endpoint go
 * to the second (a local server on another port standing for a well-known one).
 */
export function parseForwards(text: string, previous: Record<string, string> = {}): Record<string, string> {
  const out: Record<string, string> = { ...previous };
  const endpoint = (v: string): string => {
    const m = /^(.+):(\d{1,5})$/.exec(v.trim());
    if (!m || net.isIP(m[1]!) !== 4 || Number(m[2]) < 1 || Number(m[2]) > 65535) throw new Error(`expected IPV4:PORT, got '${v.trim()}'`);
    return `${m[1]}:${Number(m[2])}`;
  };
  for (const raw of text.split(',')) {
    const item = raw.trim();
    if (!item) continue;
    const eq = item.indexOf('=');
    if (eq <= 0) throw new Error(`expected IP:PORT=IP:PORT, got '${item}'`);
    out[endpoint(item.slice(0, eq))] = endpoint(item.slice(eq + 1));
  }
  if (Object.keys(out).length === 0) throw new Error(`expected IP:PORT=IP:PORT[,...], got '${text}'`);
  return out;
}

/**
 * `APN[,APN...]` (for --apns): the APNs the simulated operator serves, added to the previous
 * ones; "*" serves any. An APN is at most 100 characters of letters, digits, '-' and '.'
 * (3GPP TS 23.003 §9.1), "*" alone.
 */
export function parseApns(text: string, previous: string[] = []): string[] {
  const out = [...previous];
  for (const raw of text.split(',')) {
    const apn = raw.trim();
    if (!apn) continue;
    if (apn !== '*' && !/^[A-Za-z0-9]([A-Za-z0-9\-.]{0,98}[A-Za-z0-9])?$/.test(apn)) throw new Error(`invalid APN '${apn}'`);
    if (!out.includes(apn)) out.push(apn);
  }
  if (out.length === 0) throw new Error(`expected APN[,APN...], got '${text}'`);
  return out;
}

/** A positive integer (for --count). */
export function parseCount(text: string): number {
  if (!/^\d+$/.test(text.trim())) throw new Error(`expected a positive integer, got '${text}'`);
  const n = Number(text);
  if (n < 1 || n > 1024) throw new Error(`count out of range (1-1024): ${text}`);
  return n;
}

/** A serial line rate in bit/s (`--baud`): 300 to 4,000,000. */
export function parseBaud(text: string): number {
  if (!/^\d+$/.test(text.trim())) throw new Error(`expected a rate in bit/s, got '${text}'`);
  const n = Number(text);
  if (n < BAUD_MIN || n > BAUD_MAX) throw new Error(`baud rate out of range (${BAUD_MIN}-${BAUD_MAX}): ${text}`);
  return n;
}
export const BAUD_MIN = 300;
export const BAUD_MAX = 4_000_000;

export type TermTarget = { kind: 'tcp'; host: string; port: number } | { kind: 'serial'; path: string };

/** 'tcp://HOST:PORT' or a device path. */
export function parseTermTarget(text: string): TermTarget {
  if (/^tcp:\/\//i.test(text)) {
    const hp = parseHostPort(text.slice(6).replace(/\/$/, ''));
    if (hp.port === 0) throw new Error(`port 0 is not a valid target: '${text}'`);
    return { kind: 'tcp', ...hp };
  }
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(text)) throw new Error(`unsupported target '${text}' (use tcp://HOST:PORT or a device path)`);
  if (!text) throw new Error('missing target');
  return { kind: 'serial', path: text };
}

/** Where module `index` of `count` listens: PATH itself for one module, PATH0, PATH1... otherwise. */
export function ptyPathFor(base: string, index: number, count: number): string {
  return count === 1 ? base : `${base}${index}`;
}

/** TCP port of module `index`: consecutive from `base`; 0 stays 0 (each picks a free port). */
export function tcpPortFor(base: number, index: number): number {
  if (base === 0) return 0;
  const p = base + index;
  if (p > 65535) throw new Error(`port ${p} for module ${index} is out of range`);
  return p;
}

/** `--gpio PIN=LEVEL,...`: levels the lab drives on pads from outside (0, 1, or `float` to let go). */
export function parseGpioLevels(text: string, previous: Record<number, 0 | 1 | null> = {}): Record<number, 0 | 1 | null> {
  const out = { ...previous };
  for (const raw of text.split(',')) {
    const m = /^\s*(\d{1,3})\s*=\s*(0|1|float)\s*$/.exec(raw);
    if (!m) throw new Error(`expected PIN=0|1|float, got '${raw.trim()}'`);
    out[Number(m[1])] = m[2] === 'float' ? null : (Number(m[2]) as 0 | 1);
  }
  return out;
}
