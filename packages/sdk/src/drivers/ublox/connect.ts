import { createHash } from 'node:crypto';
import type { AtClient } from '../../at-client.js';
import { AtError } from '../../errors.js';
import { paramsOf, quote } from '../../params.js';
import { ModemSocket } from '../../socket/modem-socket.js';
import type { UbloxCertificates } from './certificates.js';
import type { SecurityProfileOptions, UbloxSecurityProfiles } from './security-profiles.js';
import { UbloxDirectLinkBackend } from './direct-link-backend.js';
import { connectFailure } from './network-errors.js';
import { UbloxSocketBackend } from './socket-backend.js';
import { UbloxUdpSocket } from './udp.js';

/** TLS material given inline: the driver imports it and fills a security profile with it. */
export interface InlineTlsOptions {
  ca?: string | Buffer;
  cert?: string | Buffer;
  key?: string | Buffer;
  /** One cipher suite by IANA code (e.g. 0xC02F). */
  ciphers?: number;
  servername?: string;
  alpn?: string;
  psk?: { key: string; identity: string; hex?: boolean };
  minVersion?: SecurityProfileOptions['tlsVersion'];
  resume?: boolean;
  /** Defaults to 1 (chain to the CA) when a CA is given, else 0. */
  validation?: 0 | 1 | 2 | 3;
  /** Profile the driver may overwrite (default 4). */
  profileId?: number;
}

export interface ConnectOptions {
  host: string;
  port: number;
  tls?: { profile: number } | InlineTlsOptions;
  timeoutMs?: number;
  /**
   * Carry the socket in direct link mode (+USODL): far faster, but the AT link is the
   * socket's until it closes; no other command runs meanwhile.
   */
  directLink?: boolean;
}

const shortHash = (data: string | Buffer) => createHash('md5').update(data).digest('hex').slice(0, 12);

async function createSocket(client: AtClient, protocol: 6 | 17): Promise<number> {
  const command = `AT+USOCR=${protocol}`;
  const r = await client.send(command);
  const id = Number(paramsOf(r.lines, '+USOCR')?.[0]);
  if (!Number.isInteger(id)) throw new AtError(command, r.lines, `${command}: no socket id`);
  return id;
}

async function inlineProfile(certs: UbloxCertificates, profiles: UbloxSecurityProfiles, o: InlineTlsOptions): Promise<number> {
  const id = o.profileId ?? 4;
  const names: Pick<SecurityProfileOptions, 'rootCa' | 'clientCert' | 'clientKey'> = {};
  // Content-derived names: importing the same material twice reuses one entry.
  if (o.ca) await certs.import('ca', (names.rootCa = `sdk-ca-${shortHash(o.ca)}`), o.ca);
  if (o.cert) await certs.import('client-cert', (names.clientCert = `sdk-cc-${shortHash(o.cert)}`), o.cert);
  if (o.key) await certs.import('private-key', (names.clientKey = `sdk-pk-${shortHash(o.key)}`), o.key);
  await profiles.reset(id);
  await profiles.configure(id, {
    validation: o.validation ?? (o.ca ? 1 : 0),
    ...names,
    ...(o.minVersion ? { tlsVersion: o.minVersion } : {}),
    ...(o.ciphers !== undefined ? { cipherSuite: { iana: o.ciphers } } : {}),
    ...(o.servername ? { sni: o.servername, hostname: o.servername } : {}),
    ...(o.alpn ? { alpn: o.alpn } : {}),
    ...(o.psk ? { psk: o.psk } : {}),
    ...(o.resume !== undefined ? { resumption: o.resume } : {}),
  });
  return id;
}

/** Opens a TCP (optionally TLS) connection through the module and returns it as a Duplex. */
export async function connectUblox(client: AtClient, certs: UbloxCertificates, profiles: UbloxSecurityProfiles, o: ConnectOptions): Promise<ModemSocket> {
  const profile = o.tls === undefined ? undefined : 'profile' in o.tls ? o.tls.profile : await inlineProfile(certs, profiles, o.tls);
  const id = await createSocket(client, 6);
  const backend = new UbloxSocketBackend(client, id);
  try {
    if (profile !== undefined) await client.send(`AT+USOSEC=${id},1,${profile}`);
    if (o.directLink) {
      backend.dispose();
      await client.send(`AT+USOCO=${id},${quote(o.host)},${o.port}`, { timeoutMs: o.timeoutMs ?? 120_000 });
      return await directLinkSocket(client, id);
    }
    const socket = new ModemSocket(backend);
    await client.send(`AT+USOCO=${id},${quote(o.host)},${o.port}`, { timeoutMs: o.timeoutMs ?? 120_000 });
    // Data may have arrived before anyone listened for +UUSORD.
    const pending = Number(paramsOf((await client.send(`AT+USORD=${id},0`)).lines, '+USORD')?.[1] ?? 0);
    if (pending > 0) backend.announce(pending);
    return socket;
  } catch (err) {
    backend.dispose();
    // The reason lives in the socket: ask before closing it.
    const failure = await connectFailure(client, id, err, { operation: 'connect', host: o.host, port: o.port, command: `AT+USOCO=${id},${quote(o.host)},${o.port}`, secure: profile !== undefined });
    await client.send(`AT+USOCL=${id}`).catch(() => {});
    throw failure;
  }
}

/** Switches a connected socket to direct link mode and wraps it as a Duplex. */
async function directLinkSocket(client: AtClient, id: number): Promise<ModemSocket> {
  // S12 is the escape guard time in fiftieths of a second.
  const s12 = Number((await client.send('ATS12?', { expectPrefix: null })).lines.find((l) => /^\d+$/.test(l)) ?? 50);
  const link = await client.dial(`AT+USODL=${id}`);
  return new ModemSocket(new UbloxDirectLinkBackend(client, id, link, s12 * 20));
}

export async function udpUblox(client: AtClient): Promise<UbloxUdpSocket> {
  return new UbloxUdpSocket(client, await createSocket(client, 17));
}
