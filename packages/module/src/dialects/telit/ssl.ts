import type { ParamSpec } from '@modemlab/at';
import type { CommandContext } from '../../engine/context.js';
import type { DataPipe } from '../../link/byte-pipe.js';
import type { TerminalSession } from '../../engine/session.js';
import { cme } from '../../engine/failure.js';
import { defineCommands, type FinalResult } from '../../engine/registry.js';
import type { ModuleHost } from '../../module-host.js';
import { ServiceError } from '../../services/errors.js';
import { pacedPipe } from '../../link/paced-pipe.js';
import { SocketError } from '../../services/sockets/socket-service.js';
import { CertificateError } from '../../services/tls/cert-store.js';
import { derToPem, isPem, privateKeyEncoding } from '../../services/tls/cert-der.js';
import { suiteByCode } from '../../models/cipher-suites.js';
import { TelitCme } from './errors.js';
import { applySslSecurity, SSL_PROFILE, sslProblemCme } from './ssl-security.js';
import { SECURITY_DATA_NAMES, saveSslSettings, secureSocketTable, sslChannel, type SslChannel, type SslConnection } from './ssl-state.js';

/** The hidden security profile #SSLSECCFG and #SSLSECDATA are turned into. */
const SSID: ParamSpec = { name: 'SSId', type: 'int', values: [1] };
const range = (values: readonly number[]): string => `(${values.join(',')})`;

/** The channel, after checking that this AT instance enabled it (seed 003 §3.1). */
function owned(ctx: CommandContext): SslChannel {
  const ch = sslChannel(ctx.module);
  if (ch.owner !== ctx.session) throw cme(TelitCme.sslNotActivated);
  return ch;
}

/** The open connection; "SSL disconnected" after a remote close, "SSL not connected" otherwise. */
function connected(ctx: CommandContext, ch: SslChannel): SslConnection {
  if (ch.conn && ctx.module.services.sockets.exists(ch.conn.socketId)) return ch.conn;
  throw cme(ch.remoteClosed ? TelitCme.sslDisconnected : TelitCme.sslNotConnected);
}

/** <Timeout> in 100 ms units, or the #SSLCFG <defTo>. */
const timeoutMs = (ch: SslChannel, given: unknown): number => ((given as number | undefined) ?? ch.config.defTo) * 100;

function timeoutSpec(ctx: CommandContext): ParamSpec {
  const [min, max] = secureSocketTable(ctx.module).ranges.defTo;
  return { name: 'timeout', type: 'int', min, max, optional: true };
}

/** <cipher_suite> number of a negotiated suite (IANA name), per the product's table. */
function suiteNumber(module: ModuleHost, ianaName: string): number | undefined {
  const table = secureSocketTable(module).cipherSuites;
  for (const [n, code] of Object.entries(table)) if (suiteByCode(code)?.name === ianaName) return Number(n);
  return undefined;
}

/** A failed open: the TLS handshake (839, or 837 for security data it cannot load), the TCP socket or name (832), no data path (832). */
function openFailure(err: unknown): unknown {
  if (err instanceof SocketError) return cme(err.tls ? sslProblemCme(err.tls) : TelitCme.sslSocketError, err.message);
  if (err instanceof ServiceError) return cme(TelitCme.sslSocketError, err.message);
  return err;
}

/**
 * Opens SSId 1 to host:port (a full handshake, or a resumed one with `resume`), then
 * answers OK (command mode) or CONNECT (online mode).
 */
async function open(
  ctx: CommandContext,
  ch: SslChannel,
  target: { host: string; port: number; closureType: number; mode: number; timeoutMs: number },
  resume?: Buffer,
): Promise<void | FinalResult> {
  const module = ctx.module;
  const sockets = module.services.sockets;
  if (!module.services.pdp.isActive(ch.config.cid)) throw cme(TelitCme.sslSocketError, `context ${ch.config.cid} not active`);
  applySslSecurity(module, ch.security);
  let id: number;
  try {
    id = await sockets.create('tcp');
  } catch (err) {
    throw openFailure(err);
  }
  try {
    sockets.setSecure(id, true, SSL_PROFILE, { ...(resume ? { resume } : {}), handshakeInactivityMs: target.timeoutMs });
    await sockets.connect(id, target.host, target.port);
  } catch (err) {
    if (sockets.exists(id)) await sockets.close(id).catch(() => {});
    throw openFailure(err);
  }
  ch.remoteClosed = false;
  const session = sockets.tlsInfo(id)?.session;
  ch.conn = { socketId: id, host: target.host, port: target.port, closureType: target.closureType, attached: false, carrierShown: false, ...(session ? { session } : {}) };
  ch.saved = undefined;
  if (target.mode === 0) return ctx.goOnline(onlinePipe(module, ch, ch.conn));
}

/**
 * The connection as the terminal's online-mode pipe, paced by #SSLCFG: host bytes leave in
 * <pktSize> packets or after <txTo>; <maxTo> without traffic ends it with NO CARRIER.
 */
function onlinePipe(module: ModuleHost, ch: SslChannel, conn: SslConnection): DataPipe {
  const cfg = ch.config;
  const table = secureSocketTable(module);
  const inner = module.services.sockets.openPipe(conn.socketId);
  const paced = pacedPipe(inner, {
    clock: module.clock,
    packetSize: cfg.pktSize === 0 ? table.defaults.pktSize : cfg.pktSize,
    flushMs: cfg.txTo * 100,
    idleMs: cfg.maxTo * 1000,
    onIdle: () => void endConnection(module, ch, conn, 'inactivity'),
  });
  return {
    write: (bytes) => paced.write(bytes),
    attach(sink) {
      conn.attached = true;
      paced.attach({
        data: (bytes) => sink.data(bytes),
        close: () => {
          conn.attached = false;
          conn.carrierShown = true;
          sink.close();
        },
      });
    },
    detach() {
      conn.attached = false;
      paced.detach();
    },
  };
}

/**
 * Ends the connection: by #SSLH ('local'), or by the inactivity timer. Closure type 1
 * keeps its TLS session for #SSLFASTD; 0 forgets it.
 */
async function endConnection(module: ModuleHost, ch: SslChannel, conn: SslConnection, why: 'local' | 'inactivity', closureType = conn.closureType): Promise<void> {
  const sockets = module.services.sockets;
  const session = (sockets.exists(conn.socketId) ? sockets.tlsInfo(conn.socketId)?.session : undefined) ?? conn.session;
  if (ch.conn === conn) ch.conn = undefined;
  ch.remoteClosed = why === 'inactivity';
  ch.saved = closureType === 1 && session ? { host: conn.host, port: conn.port, session } : undefined;
  if (sockets.exists(conn.socketId)) await sockets.close(conn.socketId).catch(() => {});
}

/** Waits up to `ms` of module time for data on the socket; 'closed' when the peer went away. */
function waitForData(module: ModuleHost, id: number, ms: number): Promise<'data' | 'timeout' | 'closed'> {
  const sockets = module.services.sockets;
  return new Promise((resolve) => {
    const finish = (r: 'data' | 'timeout' | 'closed') => {
      timer.cancel();
      sockets.off('data', onData);
      sockets.off('closed', onClosed);
      resolve(r);
    };
    const onData = (e: { id: number }) => {
      if (e.id === id) finish('data');
    };
    const onClosed = (e: { id: number }) => {
      if (e.id === id) finish('closed');
    };
    const timer = module.clock.setTimeout(() => finish('timeout'), ms);
    sockets.on('data', onData);
    sockets.on('closed', onClosed);
  });
}

/** Writes all of `data` toward the peer; a refused write is "SSL error enc/dec data". */
function send(module: ModuleHost, conn: SslConnection, data: Buffer): void {
  const sockets = module.services.sockets;
  let rest = data;
  try {
    while (rest.length > 0) rest = rest.subarray(sockets.write(conn.socketId, rest));
  } catch (err) {
    if (err instanceof SocketError) throw cme(err.errno === 'EPIPE' ? TelitCme.sslDisconnected : TelitCme.sslEncDec, err.message);
    throw err;
  }
}

/**
 * The AT instance that enabled SSL went away (its host disconnected): the connection is
 * closed and SSId 1 disabled, so another instance can enable it.
 */
export function releaseSsl(module: ModuleHost, session: TerminalSession): void {
  const ch = sslChannel(module);
  if (ch.owner !== session) return;
  const conn = ch.conn;
  ch.owner = undefined;
  if (conn) void endConnection(module, ch, conn, 'local', 0);
}

/** #SSLEN, #SSLSECCFG, #SSLSECDATA, #SSLCFG, #SSLD, #SSLO, #SSLSEND(EXT), #SSLRECV, #SSLH, #SSLFASTD, #SSLS (seed 003). */
export const sslCommands = defineCommands(import.meta.url, [
  {
    name: '#SSLEN',
    params: [SSID, { name: 'enable', type: 'int', min: 0, max: 1 }],
    set(ctx, { enable }) {
      const ch = sslChannel(ctx.module);
      if (enable === 1) {
        if (ch.owner) throw cme(TelitCme.sslAlreadyActivated);
        ch.owner = ctx.session;
        return;
      }
      if (ch.owner !== ctx.session) throw cme(TelitCme.sslNotActivated);
      if (ch.conn) throw cme(TelitCme.sslAlreadyConnected);
      ch.owner = undefined;
    },
    read(ctx) {
      ctx.info(`#SSLEN: 1,${sslChannel(ctx.module).owner === ctx.session ? 1 : 0}`);
    },
    test(ctx) {
      ctx.info('#SSLEN: (1),(0,1)');
    },
  },
  {
    name: '#SSLSECCFG',
    set(ctx, _args, raw) {
      const table = secureSocketTable(ctx.module);
      const suites = [0, ...Object.keys(table.cipherSuites).map(Number)];
      const specs: ParamSpec[] = [SSID, { name: 'cipher', type: 'int', values: suites }, { name: 'auth', type: 'int', min: 0, max: 2 }];
      if (table.certFormats.length > 0) specs.push({ name: 'format', type: 'int', values: table.certFormats, optional: true });
      const v = ctx.validate(raw, specs);
      const ch = owned(ctx);
      const formatGiven = v.format !== undefined;
      ch.security = {
        cipherSuite: v.cipher as number,
        authMode: v.auth as number,
        certFormat: formatGiven ? (v.format as number) : ch.security.certFormat,
        formatGiven: ch.security.formatGiven || formatGiven,
      };
      saveSslSettings(ctx.module, ch);
    },
    read(ctx) {
      const s = sslChannel(ctx.module).security;
      ctx.info(`#SSLSECCFG: 1,${s.cipherSuite},${s.authMode}${s.formatGiven ? `,${s.certFormat}` : ''}`);
    },
    test(ctx) {
      const table = secureSocketTable(ctx.module);
      const max = Math.max(...Object.keys(table.cipherSuites).map(Number));
      ctx.info(`#SSLSECCFG: (1),(0-${max}),(0-2)${table.certFormats.length ? `,${range(table.certFormats)}` : ''}`);
    },
  },
  {
    name: '#SSLSECDATA',
    async set(ctx, _args, raw) {
      const table = secureSocketTable(ctx.module);
      const v = ctx.validate(raw, [
        SSID,
        { name: 'action', type: 'int', min: 0, max: 2 },
        { name: 'type', type: 'int', min: 0, max: 2 },
        { name: 'size', type: 'int', min: 1, max: table.maxSecurityData, optional: true },
      ]);
      const ch = owned(ctx);
      const item = SECURITY_DATA_NAMES[v.type as number]!;
      const certificates = ctx.module.services.certificates;
      if (v.action === 0) {
        if (v.size !== undefined) throw cme(TelitCme.notSupported);
        if (certificates.get(item.type, item.name, 'user')) certificates.remove(item.type, item.name);
        return;
      }
      if (v.action === 2) {
        if (v.size !== undefined) throw cme(TelitCme.notSupported);
        // A private key never leaves the module.
        if (v.type === 2) throw cme(TelitCme.notSupported, 'the private key cannot be read');
        const entry = certificates.get(item.type, item.name, 'user');
        if (!entry) throw cme(TelitCme.sslCertificates, 'nothing stored');
        ctx.info(`#SSLSECDATA: 1,${v.type}`);
        for (const line of derToPem(entry.der, 'CERTIFICATE').trimEnd().split('\n')) ctx.info(line);
        return;
      }
      if (v.size === undefined) throw cme(TelitCme.notSupported, '<size> is needed to write');
      const size = v.size as number;
      const der = ch.security.certFormat === 0;
      // PEM: text up to Ctrl-Z (ESC cancels, backspace edits); DER: exactly <size> bytes.
      const outcome = await ctx.prompt(der ? { kind: 'binary', length: size, guardMs: ctx.module.model.certificates.importGuardMs } : { kind: 'text', maxLength: size });
      if (outcome.status === 'cancelled') return;
      if (outcome.status === 'timeout') throw cme(TelitCme.sslGeneric, 'no input');
      const data = outcome.data;
      if (!der && !isPem(data)) throw cme(TelitCme.sslCertificates, 'PEM expected');
      if (v.type === 2) {
        const encoding = privateKeyEncoding(data);
        if (!encoding || !table.keyFormats.includes(encoding as 'pkcs1' | 'pkcs8')) throw cme(TelitCme.sslCertificates, `key encoding ${encoding ?? 'unknown'}`);
      }
      try {
        certificates.import(item.type, item.name, data);
      } catch (err) {
        if (err instanceof CertificateError) throw cme(TelitCme.sslCertificates, err.message);
        throw err;
      }
    },
    test(ctx) {
      ctx.info(`#SSLSECDATA: (1),(0-2),(0-2),(1-${secureSocketTable(ctx.module).maxSecurityData})`);
    },
  },
  {
    name: '#SSLCFG',
    set(ctx, _args, raw) {
      const r = secureSocketTable(ctx.module).ranges;
      const v = ctx.validate(raw, [
        SSID,
        { name: 'cid', type: 'int', values: [1] },
        { name: 'pktSize', type: 'int', min: r.pktSize[0], max: r.pktSize[1] },
        { name: 'maxTo', type: 'int', min: r.maxTo[0], max: r.maxTo[1] },
        { name: 'defTo', type: 'int', min: r.defTo[0], max: r.defTo[1] },
        { name: 'txTo', type: 'int', min: r.txTo[0], max: r.txTo[1] },
        { name: 'ringMode', type: 'int', min: 0, max: 1, optional: true },
      ]);
      const ch = owned(ctx);
      ch.config = {
        cid: v.cid as number,
        pktSize: v.pktSize as number,
        maxTo: v.maxTo as number,
        defTo: v.defTo as number,
        txTo: v.txTo as number,
        ringMode: (v.ringMode as number | undefined) ?? ch.config.ringMode,
      };
      saveSslSettings(ctx.module, ch);
    },
    read(ctx) {
      const c = sslChannel(ctx.module).config;
      ctx.info(`#SSLCFG: 1,${c.cid},${c.pktSize},${c.maxTo},${c.defTo},${c.txTo},${c.ringMode}`);
    },
    test(ctx) {
      const r = secureSocketTable(ctx.module).ranges;
      const span = (x: [number, number]) => `(${x[0]}-${x[1]})`;
      ctx.info(`#SSLCFG: (1),(1),${span(r.pktSize)},${span(r.maxTo)},${span(r.defTo)},${span(r.txTo)},(0,1)`);
    },
  },
  {
    name: '#SSLD',
    async set(ctx, _args, raw) {
      const table = secureSocketTable(ctx.module);
      const v = ctx.validate(raw, [
        SSID,
        { name: 'port', type: 'int', min: 1, max: 65535 },
        { name: 'host', type: 'string', minLength: 1, maxLength: 255 },
        { name: 'closureType', type: 'int', values: table.fastDial ? [0, 1] : [0] },
        { name: 'mode', type: 'int', min: 0, max: 1 },
        timeoutSpec(ctx),
      ]);
      const ch = owned(ctx);
      if (ch.conn) throw cme(TelitCme.sslAlreadyConnected);
      return open(ctx, ch, { host: v.host as string, port: v.port as number, closureType: v.closureType as number, mode: v.mode as number, timeoutMs: timeoutMs(ch, v.timeout) });
    },
    test(ctx) {
      const [min, max] = secureSocketTable(ctx.module).ranges.defTo;
      ctx.info(`#SSLD: (1),(1-65535),,${secureSocketTable(ctx.module).fastDial ? '(0,1)' : '(0)'},(0,1),(${min}-${max})`);
    },
  },
  {
    name: '#SSLFASTD',
    async set(ctx, _args, raw) {
      const v = ctx.validate(raw, [SSID, { name: 'mode', type: 'int', min: 0, max: 1 }, timeoutSpec(ctx)]);
      const ch = owned(ctx);
      if (ch.conn) throw cme(TelitCme.sslAlreadyConnected);
      const saved = ch.saved;
      if (!saved) throw cme(TelitCme.sslGeneric, 'no session kept for a fast dial');
      return open(ctx, ch, { host: saved.host, port: saved.port, closureType: 1, mode: v.mode as number, timeoutMs: timeoutMs(ch, v.timeout) }, saved.session);
    },
    test(ctx) {
      const [min, max] = secureSocketTable(ctx.module).ranges.defTo;
      ctx.info(`#SSLFASTD: (1),(0,1),(${min}-${max})`);
    },
  },
  {
    name: '#SSLO',
    params: [SSID],
    set(ctx) {
      const ch = owned(ctx);
      const conn = connected(ctx, ch);
      const sockets = ctx.module.services.sockets;
      // The peer has gone and nothing is left to read: nothing to go online to.
      if (sockets.info(conn.socketId).state !== 'established' && sockets.unread(conn.socketId) === 0) throw cme(TelitCme.sslDisconnected);
      return ctx.goOnline(onlinePipe(ctx.module, ch, conn));
    },
    test(ctx) {
      ctx.info('#SSLO: (1)');
    },
  },
  {
    name: '#SSLSEND',
    async set(ctx, _args, raw) {
      // <Timeout> bounds a blocking send; the module's queue takes the data at once.
      const v = ctx.validate(raw, [SSID, timeoutSpec(ctx)]);
      const ch = owned(ctx);
      connected(ctx, ch);
      // <Timeout> (or #SSLCFG's <defTo>) also bounds the host's silence at the prompt.
      const outcome = await ctx.prompt({ kind: 'text', maxLength: secureSocketTable(ctx.module).maxSendExt, guardMs: timeoutMs(ch, v.timeout) });
      if (outcome.status === 'timeout') throw cme(TelitCme.sslGeneric, 'data not given in time');
      if (outcome.status !== 'done') return;
      send(ctx.module, connected(ctx, ch), outcome.data);
    },
    test(ctx) {
      const [min, max] = secureSocketTable(ctx.module).ranges.defTo;
      ctx.info(`#SSLSEND: (1),(${min}-${max})`);
    },
  },
  {
    name: '#SSLSENDEXT',
    async set(ctx, _args, raw) {
      const table = secureSocketTable(ctx.module);
      const v = ctx.validate(raw, [SSID, { name: 'bytes', type: 'int', min: 1, max: table.maxSendExt }, timeoutSpec(ctx)]);
      const ch = owned(ctx);
      connected(ctx, ch);
      const outcome = await ctx.prompt({ kind: 'binary', length: v.bytes as number, guardMs: timeoutMs(ch, v.timeout) });
      if (outcome.status === 'timeout') throw cme(TelitCme.sslGeneric, 'data not given in time');
      if (outcome.status !== 'done') return;
      send(ctx.module, connected(ctx, ch), outcome.data);
    },
    test(ctx) {
      const table = secureSocketTable(ctx.module);
      ctx.info(`#SSLSENDEXT: (1),(1-${table.maxSendExt}),(${table.ranges.defTo[0]}-${table.ranges.defTo[1]})`);
    },
  },
  {
    name: '#SSLRECV',
    async set(ctx, _args, raw) {
      const table = secureSocketTable(ctx.module);
      const v = ctx.validate(raw, [SSID, { name: 'max', type: 'int', min: 1, max: table.maxRecv }, timeoutSpec(ctx)]);
      const ch = owned(ctx);
      const module = ctx.module;
      const sockets = module.services.sockets;
      if (!ch.conn && ch.remoteClosed) {
        ctx.info('#SSLRECV: 0');
        ctx.info('DISCONNECTED');
        return;
      }
      const conn = connected(ctx, ch);
      if (sockets.unread(conn.socketId) === 0) {
        const got = await waitForData(module, conn.socketId, timeoutMs(ch, v.timeout));
        if (got === 'timeout') {
          ctx.info('#SSLRECV: 0');
          ctx.info('TIMEOUT');
          return;
        }
        if (got === 'closed' || !sockets.exists(conn.socketId)) {
          ctx.info('#SSLRECV: 0');
          ctx.info('DISCONNECTED');
          return;
        }
      }
      const data = sockets.read(conn.socketId, v.max as number);
      ctx.info(`#SSLRECV: ${data.length}`);
      ctx.info(data.toString('latin1'));
    },
    test(ctx) {
      const table = secureSocketTable(ctx.module);
      ctx.info(`#SSLRECV: (1),(1-${table.maxRecv}),(${table.ranges.defTo[0]}-${table.ranges.defTo[1]})`);
    },
  },
  {
    name: '#SSLH',
    async set(ctx, _args, raw) {
      const table = secureSocketTable(ctx.module);
      const v = ctx.validate(raw, [SSID, { name: 'closureType', type: 'int', values: table.fastDial ? [0, 1] : [0], optional: true }]);
      const ch = owned(ctx);
      const closureType = v.closureType as number | undefined;
      if (!ch.conn) {
        if (!ch.remoteClosed && !ch.saved) throw cme(TelitCme.sslNotConnected);
        // After a remote close, or on a kept session: only the session's fate changes.
        ch.remoteClosed = false;
        if (closureType === 0) ch.saved = undefined;
        return;
      }
      await endConnection(ctx.module, ch, ch.conn, 'local', closureType ?? ch.conn.closureType);
    },
    test(ctx) {
      ctx.info(`#SSLH: (1),${secureSocketTable(ctx.module).fastDial ? '(0,1)' : '(0)'}`);
    },
  },
  {
    name: '#SSLS',
    params: [SSID],
    set(ctx) {
      const module = ctx.module;
      const ch = sslChannel(module);
      const sockets = module.services.sockets;
      if (!ch.owner) {
        ctx.info('#SSLS: 1,0');
        return;
      }
      const conn = ch.conn;
      if (!conn || !sockets.exists(conn.socketId)) {
        ctx.info('#SSLS: 1,1');
        return;
      }
      const suite = suiteNumber(module, sockets.tlsInfo(conn.socketId)?.cipher ?? '');
      ctx.info(`#SSLS: 1,2${suite !== undefined ? `,${suite}` : ''}`);
    },
    test(ctx) {
      ctx.info('#SSLS: (1)');
    },
  },
]);
