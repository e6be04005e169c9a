import type { Readable, Writable } from 'node:stream';
import { cme } from '../../engine/failure.js';
import type { CommandContext } from '../../engine/context.js';
import type { DataPipe, PipeReceiver as DataSink } from '../../link/byte-pipe.js';
import { defineCommands } from '../../engine/registry.js';
import { FtpFailure, type FtpTransfer } from '../../services/ftp/ftp-service.js';
import { TelitCme, TelitFtpCme } from './errors.js';
import { applySslSecurity, SSL_PROFILE, sslProblemCme } from './ssl-security.js';
import { sslChannel } from './ssl-state.js';

/**
 * Telit's FTP error numbers (AT commands reference, "FTP error codes"); the seed's FTPS
 * chapter adds nothing, the SSL block's 830-840 cover the TLS part (seed 003 §6).
 */

/** The security profile #SSLSECCFG/#SSLSECDATA fill for SSId 1 (models/telit.ts). */
/** <tout> is in hundreds of milliseconds. */
const TOUT = { name: 'tout', type: 'int', min: 100, max: 5000 } as const;
const SERVER_MAX = 255;
const CREDENTIAL_MAX = 50;
const NAME_MAX = 255;
const NO_CARRIER = { text: 'NO CARRIER', numeric: 3 };

/** The +CME ERROR for a failed FTP operation. */
function ftpError(err: unknown): unknown {
  if (!(err instanceof FtpFailure)) return err;
  switch (err.reason) {
    case 'no-data-path':
      return cme(TelitFtpCme.contextDown, err.message);
    case 'dns':
      return cme(TelitFtpCme.cannotResolve, err.message);
    case 'connect':
      return cme(TelitFtpCme.cannotConnectControl, err.message);
    case 'auth-tls-refused':
      return cme(TelitCme.sslCannotActivate, err.message);
    case 'tls':
      // The FTP session needs a session of its own: none free is FTP's "resource in use".
      if (err.tls === 'session-cap') return cme(TelitFtpCme.resourceInUse, err.message);
      return cme(sslProblemCme(err.tls), err.message);
    case 'not-connected':
      return cme(TelitFtpCme.notConnected, err.message);
    case 'already-connected':
      return cme(TelitFtpCme.alreadyConnected, err.message);
    case 'busy':
      return cme(TelitFtpCme.wrongState, err.message);
    case 'login':
    case 'rejected':
    case 'timeout':
    case 'closed':
      return cme(TelitFtpCme.badResponse, err.message);
  }
}

async function ftpCall<T>(call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (err) {
    throw ftpError(err);
  }
}

/** "host:port" (port 21 when absent); an IPv6 address goes in brackets. */
function parseServer(text: string): { host: string; port: number } | undefined {
  const m = /^(?:\[([^\]]+)\]|([^:]+))(?::(\d{1,5}))?$/.exec(text);
  if (!m) return undefined;
  const host = m[1] ?? m[2]!;
  const port = m[3] === undefined ? 21 : Number(m[3]);
  if (port < 1 || port > 65535 || host.trim() === '') return undefined;
  return { host, port };
}

/**
 * A download or a listing in online mode: the bytes as they arrive, then NO CARRIER once
 * the server confirmed (or the transfer broke). +++ abandons the transfer.
 */
function receivePipe(transfer: FtpTransfer<Readable>): DataPipe {
  let sink: DataSink | undefined;
  let finished = false;
  const early: Buffer[] = [];
  transfer.stream.on('data', (chunk: Buffer) => (sink ? sink.data(chunk) : early.push(chunk)));
  const ended = new Promise<void>((resolve) => {
    transfer.stream.once('end', resolve);
    transfer.stream.once('close', resolve);
  });
  void Promise.allSettled([transfer.done, ended]).then(() => {
    finished = true;
    sink?.close();
  });
  return {
    write: () => {},
    attach: (s) => {
      sink = s;
      for (const chunk of early.splice(0)) s.data(chunk);
      if (finished) queueMicrotask(() => s.close());
    },
    detach: () => {
      sink = undefined;
    },
    escape: async () => {
      transfer.abort();
      await transfer.done.catch(() => undefined);
      return NO_CARRIER;
    },
  };
}

/** An upload in online mode: the host's bytes go to the file; +++ completes it, then NO CARRIER. */
function sendPipe(transfer: FtpTransfer<Writable>): DataPipe {
  let sink: DataSink | undefined;
  let escaped = false;
  let finished = false;
  void transfer.done
    .catch(() => undefined)
    .then(() => {
      finished = true;
      if (!escaped) sink?.close();
    });
  return {
    write: (bytes) => {
      if (!escaped && !finished) transfer.stream.write(Buffer.from(bytes));
    },
    attach: (s) => {
      sink = s;
      if (finished) queueMicrotask(() => s.close());
    },
    detach: () => {
      sink = undefined;
    },
    escape: async () => {
      escaped = true;
      transfer.stream.end();
      await transfer.done.catch(() => undefined);
      return NO_CARRIER;
    },
  };
}

const ftp = (ctx: CommandContext) => ctx.module.services.ftp;


/**
 * FTP and FTPS (seed 003 §5): #FTPCFG (timeout, private-address ignoring, FTPS), #FTPTO,
 * #FTPOPEN, #FTPGET, #FTPPUT and #FTPLIST in online mode, #FTPCLOSE. With FTPS the control
 * connection and every data connection run their own TLS handshake with the settings of
 * SSId 1 (#SSLSECCFG/#SSLSECDATA).
 */
export const ftpCommands = defineCommands(import.meta.url, [
  {
    name: '#FTPCFG',
    params: [TOUT, { name: 'ippIgnoring', type: 'int', min: 0, max: 1 }, { name: 'ftpsEn', type: 'int', min: 0, max: 1, optional: true, default: 0 }],
    set(ctx, { tout, ippIgnoring, ftpsEn }) {
      const s = ftp(ctx).settings;
      s.timeoutMs = (tout as number) * 100;
      s.ignorePrivateAddress = ippIgnoring === 1;
      s.secure = ftpsEn === 1;
    },
    read(ctx) {
      const s = ftp(ctx).settings;
      ctx.info(`#FTPCFG: ${s.timeoutMs / 100},${s.ignorePrivateAddress ? 1 : 0},${s.secure ? 1 : 0}`);
    },
    test(ctx) {
      ctx.info('#FTPCFG: (100-5000),(0,1),(0,1)');
    },
  },
  {
    name: '#FTPTO',
    params: [{ ...TOUT, optional: true, default: 100 }],
    set(ctx, { tout }) {
      ftp(ctx).settings.timeoutMs = (tout as number) * 100;
    },
    read(ctx) {
      ctx.info(`#FTPTO: ${ftp(ctx).settings.timeoutMs / 100}`);
    },
    test(ctx) {
      ctx.info('#FTPTO: (100-5000)');
    },
  },
  {
    name: '#FTPOPEN',
    params: [
      { name: 'server', type: 'string', minLength: 1, maxLength: SERVER_MAX },
      { name: 'username', type: 'string', maxLength: CREDENTIAL_MAX },
      { name: 'password', type: 'string', maxLength: CREDENTIAL_MAX },
      { name: 'mode', type: 'int', min: 0, max: 1, optional: true, default: 0 },
    ],
    // Control connection, AUTH TLS and its handshake (FTPS), USER/PASS, binary type. Data
    // connections are passive whatever <mode> says (see docs/architecture.md).
    async set(ctx, { server, username, password }) {
      const target = parseServer(server as string);
      if (!target) throw cme(TelitCme.notSupported, 'bad <server:port>');
      const service = ftp(ctx);
      if (service.connected) throw cme(TelitFtpCme.alreadyConnected);
      const s = service.settings;
      if (s.secure) applySslSecurity(ctx.module, sslChannel(ctx.module).security);
      await ftpCall(() =>
        service.open({
          ...target,
          user: username as string,
          password: password as string,
          timeoutMs: s.timeoutMs,
          ignorePrivateAddress: s.ignorePrivateAddress,
          ...(s.secure ? { secure: { profileId: SSL_PROFILE } } : {}),
        }),
      );
    },
    test() {},
  },
  {
    name: '#FTPCLOSE',
    async action(ctx) {
      await ftpCall(() => ftp(ctx).close());
    },
    test() {},
  },
  {
    name: '#FTPGET',
    params: [{ name: 'filename', type: 'string', minLength: 1, maxLength: NAME_MAX }],
    // CONNECT once the data connection is up (and secured) and the server started sending.
    async set(ctx, { filename }) {
      const transfer = await ftpCall(() => ftp(ctx).download(filename as string));
      return ctx.goOnline(receivePipe(transfer));
    },
    test() {},
  },
  {
    name: '#FTPPUT',
    params: [
      { name: 'filename', type: 'string', minLength: 1, maxLength: NAME_MAX },
      // 1 (command mode, then #FTPAPPEXT) is not emulated.
      { name: 'connMode', type: 'int', values: [0], optional: true, default: 0 },
    ],
    async set(ctx, { filename }) {
      const transfer = await ftpCall(() => ftp(ctx).upload(filename as string));
      return ctx.goOnline(sendPipe(transfer));
    },
    test() {},
  },
  {
    name: '#FTPLIST',
    params: [{ name: 'name', type: 'string', maxLength: NAME_MAX, optional: true, default: '' }],
    async set(ctx, { name }) {
      const transfer = await ftpCall(() => ftp(ctx).list(name as string));
      return ctx.goOnline(receivePipe(transfer));
    },
    async action(ctx) {
      const transfer = await ftpCall(() => ftp(ctx).list());
      return ctx.goOnline(receivePipe(transfer));
    },
    test() {},
  },
]);
