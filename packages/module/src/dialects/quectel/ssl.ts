import { q, type RawParam } from '@modemlab/at';
import type { CommandContext } from '../../engine/context.js';
import { plainError } from '../../engine/failure.js';
import { defineCommands, type CommandDef } from '../../engine/registry.js';
import type { ModuleHost } from '../../module-host.js';
import { ServiceError } from '../../services/errors.js';
import { SocketError } from '../../services/sockets/socket-service.js';
import { CertificateError, CertificateType } from '../../services/tls/cert-store.js';
import { CERTIFICATE_PROBLEMS, type TlsProblem } from '../../services/tls/tls-problem.js';
import { QsslErr, type QsslErrCode } from './errors.js';
import { CONTEXT_ID, IDS_RANGE, idsParam, intParam, stringParam } from './ssl-params.js';
import { qsslState, type QsslConfig, type QsslConnection } from './ssl-state.js';

const HOST_MAX = 150;
const HEX = /^[0-9A-Fa-f]*$/;

/** Why an open failed before or during the connection. */
class OpenFailure extends Error {
  constructor(readonly code: QsslErrCode, message: string) {
    super(message);
  }
}

/** Certificate store names of a connectID's certificates (the host never sees them). */
const storeName = (connectId: number, key: string): string => `QSSL${CONTEXT_ID}.${connectId} ${key}`;

/**
 * Writes the hidden security profile of `connectId` from its +QSSLCFG settings: the entered
 * PEMs go into the certificate store (a bad one is the seed's -3 "Cert error" or -4 "Key
 * error"), seclevel 1 and 2 check the server's chain against the entered CA, seclevel 2
 * also presents the client certificate.
 */
function prepareProfile(module: ModuleHost, connectId: number, c: QsslConfig): void {
  const { certificates, securityProfiles: profiles } = module.services;
  const store = (type: number, key: 'cacert' | 'clientcert' | 'clientkey', data: Buffer | undefined, code: QsslErrCode): string => {
    if (!data) throw new OpenFailure(code, `no ${key} configured`);
    try {
      return certificates.import(type, storeName(connectId, key), data).name;
    } catch (err) {
      if (err instanceof CertificateError) throw new OpenFailure(code, `${key}: ${err.message}`);
      throw err;
    }
  };
  const rootCa = c.seclevel >= 1 ? store(CertificateType.ca, 'cacert', c.cacert, QsslErr.cert) : '';
  const clientCert = c.seclevel === 2 ? store(CertificateType.client, 'clientcert', c.clientcert, QsslErr.cert) : '';
  const clientKey = c.seclevel === 2 ? store(CertificateType.key, 'clientkey', c.clientkey, QsslErr.key) : '';
  profiles.reset(connectId);
  profiles.set(connectId, 'validation', c.seclevel >= 1 ? 1 : 0);
  profiles.set(connectId, 'rootCa', rootCa);
  profiles.set(connectId, 'clientCert', clientCert);
  profiles.set(connectId, 'clientKey', clientKey);
}

/**
 * A failed handshake's problem as the seed's <err>: certificates -3, the key -4, suites and
 * versions -5 (a plain port too: mbedTLS reads its answer as a bad version), the handshake
 * timer -7, no session free -9; the rest is a connection failure, -2.
 */
const TLS_PROBLEM_ERR: Partial<Record<TlsProblem, QsslErrCode>> = {
  'session-cap': QsslErr.other,
  timeout: QsslErr.timeout,
  'no-common-suite': QsslErr.cipher,
  'protocol-version': QsslErr.cipher,
  'handshake-failure': QsslErr.cipher,
  'not-tls': QsslErr.cipher,
  'client-certificate': QsslErr.cert,
  'client-key': QsslErr.key,
  'ca-not-found': QsslErr.cert,
  'pin-not-found': QsslErr.cert,
  'no-certificate': QsslErr.cert,
  'unknown-ca': QsslErr.cert,
  hostname: QsslErr.cert,
  expired: QsslErr.cert,
  'not-yet-valid': QsslErr.cert,
  'pin-mismatch': QsslErr.cert,
  'certificate-rejected': QsslErr.cert,
};

function openCode(err: unknown): QsslErrCode {
  if (err instanceof OpenFailure) return err.code;
  if (err instanceof ServiceError) return QsslErr.connection;
  if (err instanceof SocketError) {
    // Every verdict on the server's certificates is a certificate error, -3.
    if (err.tls) return TLS_PROBLEM_ERR[err.tls] ?? (CERTIFICATE_PROBLEMS.has(err.tls) ? QsslErr.cert : QsslErr.connection);
    if (err.errno === 'ETIMEDOUT') return QsslErr.timeout;
    if (err.errno === 'ENOMEM') return QsslErr.other;
    return QsslErr.connection;
  }
  return QsslErr.exception;
}

/** Opens connectID `connectId` in the background; +QSSLOPEN: <ctx>,<conn>,<err> follows. */
async function open(module: ModuleHost, connectId: number, conn: QsslConnection, host: string, port: number): Promise<void> {
  const state = qsslState(module);
  const sockets = module.services.sockets;
  const c = state.config(connectId);
  let done = false;
  const report = (code: QsslErrCode) => {
    if (done) return;
    done = true;
    timer.cancel();
    if (code !== QsslErr.ok && state.connections.get(connectId) === conn) state.connections.delete(connectId);
    if (code !== QsslErr.ok && conn.socketId !== undefined && sockets.exists(conn.socketId)) void sockets.close(conn.socketId).catch(() => {});
    if (!conn.abandoned) module.urc(`+QSSLOPEN: ${CONTEXT_ID},${connectId},${code}`);
  };
  // <timeout> of +QSSLCFG bounds the whole open, on the module's clock.
  const timer = module.clock.setTimeout(() => report(QsslErr.timeout), c.timeout * 1000);
  try {
    prepareProfile(module, connectId, c);
    const id = await sockets.create('tcp');
    conn.socketId = id;
    if (done || conn.abandoned) {
      // Timed out or closed by +QSSLCLOSE meanwhile.
      void sockets.close(id).catch(() => {});
      report(QsslErr.state);
      return;
    }
    sockets.setSecure(id, true, connectId);
    await sockets.connect(id, host, port);
    if (done || conn.abandoned) {
      void sockets.close(id).catch(() => {});
      report(QsslErr.state);
      return;
    }
    conn.phase = 'open';
    report(QsslErr.ok);
    // Data the server sent right after the handshake.
    pump(module, id);
  } catch (err) {
    if (!(err instanceof OpenFailure) && !(err instanceof SocketError) && !(err instanceof ServiceError)) module.log('+QSSLOPEN failed', err);
    report(openCode(err));
  }
}

/** The open connection behind <connectID>, or the plain ERROR the seed gives. */
function openConnection(ctx: CommandContext, connectId: number): number {
  const conn = qsslState(ctx.module).connections.get(connectId);
  if (!conn || conn.phase !== 'open' || conn.socketId === undefined) throw plainError('SSL connection not established');
  try {
    ctx.module.services.sockets.checkWrite(conn.socketId);
  } catch {
    throw plainError('SSL connection closed');
  }
  return conn.socketId;
}

/** The bytes of a send: text as typed, or hex digits (two per byte) in hex send format. */
function decode(data: Buffer, hex: boolean): Buffer {
  if (!hex) return data;
  const text = data.toString('latin1');
  if (text.length === 0 || text.length % 2 !== 0 || !HEX.test(text)) throw plainError('bad hex data');
  return Buffer.from(text, 'hex');
}

/**
 * +QSSLSEND (seed 004 §2.2.3, which also prints it +QSSSEND, answered +QSSSEND:): without a
 * length the data ends with Ctrl-Z (ESC cancels: OK, nothing sent); with one the module
 * takes exactly that many bytes (twice as many hex digits in hex format). OK, then
 * +QSSLSEND: <ctx>,<conn>,0 once the data is handed to the connection.
 */
function sendCommand(name: '+QSSLSEND' | '+QSSSEND'): CommandDef {
  return {
    name,
    async set(ctx, _args, raw: RawParam[]) {
      const { connectId } = idsParam(raw);
      if (raw.length > 3) throw plainError('too many parameters');
      const state = qsslState(ctx.module);
      const c = state.config(connectId);
      const hex = c.sendFormat === 1;
      const { maxWrite, maxWriteHex } = ctx.module.model.sockets;
      const length = raw.length === 3 ? intParam(raw[2], 1, hex ? maxWriteHex : maxWrite) : undefined;
      openConnection(ctx, connectId);
      let data: Buffer;
      if (length === undefined) {
        const outcome = await ctx.prompt({ kind: 'text', maxLength: hex ? maxWriteHex * 2 : maxWrite });
        if (outcome.status === 'cancelled') return;
        if (outcome.status !== 'done') throw plainError('input aborted');
        data = decode(outcome.data, hex);
        if (data.length === 0) throw plainError('no data');
      } else {
        const outcome = await ctx.prompt({ kind: 'binary', length: hex ? length * 2 : length, guardMs: c.timeout * 1000 });
        if (outcome.status !== 'done') throw plainError('input incomplete');
        data = decode(outcome.data, hex);
      }
      const id = openConnection(ctx, connectId);
      let sent: number;
      try {
        sent = ctx.module.services.sockets.write(id, data);
      } catch {
        throw plainError('send failed');
      }
      const code = sent === data.length ? QsslErr.ok : QsslErr.other;
      ctx.module.urc(`${name}: ${CONTEXT_ID},${connectId},${code}`);
    },
    read() {},
    test(ctx) {
      const { maxWrite } = ctx.module.model.sockets;
      ctx.info(`${name}: ${IDS_RANGE},(1-${maxWrite})`);
    },
  };
}

/** SSL connections: open, send, close (seed 004 §2.2.2-2.2.4). */
export const sslCommands = defineCommands(import.meta.url, [
  {
    name: '+QSSLOPEN',
    set(ctx, _args, raw) {
      const { connectId } = idsParam(raw);
      if (raw.length !== 5) throw plainError('five parameters expected');
      const host = stringParam(raw[2], HOST_MAX);
      const port = intParam(raw[3], 1, 65535);
      // Seed 004: only <connect_mode>=0 (non-transparent) is supported.
      intParam(raw[4], 0, 0);
      const state = qsslState(ctx.module);
      if (state.connections.has(connectId)) {
        ctx.module.urc(`+QSSLOPEN: ${CONTEXT_ID},${connectId},${QsslErr.state}`);
        return;
      }
      const conn: QsslConnection = { phase: 'opening', abandoned: false };
      state.connections.set(connectId, conn);
      void open(ctx.module, connectId, conn, host, port);
    },
    read() {},
    test(ctx) {
      ctx.info(`+QSSLOPEN: ${IDS_RANGE},"host_name",(1-65535),(0)`);
    },
  },
  sendCommand('+QSSLSEND'),
  sendCommand('+QSSSEND'),
  {
    name: '+QSSLCLOSE',
    async set(ctx, _args, raw) {
      const { connectId } = idsParam(raw);
      if (raw.length !== 2) throw plainError('two parameters expected');
      const state = qsslState(ctx.module);
      const conn = state.connections.get(connectId);
      if (!conn) throw plainError('no SSL connection');
      conn.abandoned = true;
      state.connections.delete(connectId);
      const sockets = ctx.module.services.sockets;
      if (conn.socketId !== undefined && sockets.exists(conn.socketId)) await sockets.close(conn.socketId).catch(() => {});
      ctx.module.urc(`+QSSLCLOSE: ${CONTEXT_ID},${connectId},${QsslErr.ok}`);
    },
    read() {},
    test(ctx) {
      ctx.info(`+QSSLCLOSE: ${IDS_RANGE}`);
    },
  },
]);

/**
 * Received data is pushed at once (seed 004 §2.3.1): +QSSLURC: "recv" with at most 1300
 * bytes as text, or 650 bytes as hex digits (upper case, our choice), longer data split
 * over several URCs. A connection the peer or the network ended reports "closed" after its
 * last data and frees its connectID.
 */
export function wireQsslUrcs(module: ModuleHost): void {
  const state = qsslState(module);
  const sockets = module.services.sockets;
  sockets.on('data', (e) => {
    if (e.cause === 'arrival') pump(module, e.id);
  });
  sockets.on('closed', ({ id, cause }) => {
    if (cause === 'local') return;
    const connectId = state.connectIdOfSocket(id);
    if (connectId === undefined) return;
    const conn = state.connections.get(connectId)!;
    if (conn.phase !== 'open') return;
    state.connections.delete(connectId);
    // A close found by the read of the last data is announced after that data.
    queueMicrotask(() => module.urc(`+QSSLURC: "closed",${CONTEXT_ID},${connectId}`));
  });
}

/** Pushes everything socket `socketId` has received as "recv" URCs. */
function pump(module: ModuleHost, socketId: number): void {
  const state = qsslState(module);
  const sockets = module.services.sockets;
  const connectId = state.connectIdOfSocket(socketId);
  if (connectId === undefined || state.connections.get(connectId)?.phase !== 'open') return;
  const hex = state.config(connectId).recvFormat === 1;
  const { maxRead, maxReadHex } = module.model.sockets;
  for (;;) {
    if (!sockets.exists(socketId)) return;
    const chunk = sockets.read(socketId, hex ? maxReadHex : maxRead);
    if (chunk.length === 0) return;
    const shown = hex ? chunk.toString('hex').toUpperCase() : chunk.toString('latin1');
    module.urc(`+QSSLURC: "recv",${CONTEXT_ID},${connectId},${chunk.length},${q(shown)}`);
  }
}
