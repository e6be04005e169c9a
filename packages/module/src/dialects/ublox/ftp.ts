import { q, type ParamSpec, type RawParam } from '@modemlab/at';
import type { CommandContext } from '../../engine/context.js';
import { cme } from '../../engine/failure.js';
import { defineCommands } from '../../engine/registry.js';
import type { ModuleHost } from '../../module-host.js';
import type { FtpOpenRequest, FtpService } from '../../services/ftp/ftp-service.js';
import { FtpFailure } from '../../services/ftp/ftp-service.js';
import { UbloxCme } from './errors.js';
import { retrievePipe, storePipe } from './ftp-direct-link.js';
import { FTP_NO_ERROR, FtpClientError, FTP_CLIENT_ERROR_CLASS, ftpErrorPair } from './ftp-errors.js';
import { FTP_PROFILE_DEFAULTS, ftpState, type FtpProfile } from './ftp-profile.js';
import { formatList } from './usecprf.js';

/**
 * FTP(S) client (SARA-R4/R5 AT manual "FTP", notes §D): +UFTP (profile), +UFTPC (commands,
 * answered OK and then +UUFTPCR; data of info/list in +UUFTPCD; 6 and 7 in direct link),
 * +UFTPER (last error). Decisions where the manual is silent are in docs/architecture.md
 * ("u-blox FTP").
 */

type Ctx = CommandContext;

const ftp = (ctx: Ctx): FtpService => ctx.module.services.ftp;

const int = (name: string, min: number, max: number, optional = false): ParamSpec => ({ name, type: 'int', min, max, optional });
const str = (name: string, maxLength: number, minLength = 0): ParamSpec => ({ name, type: 'string', maxLength, minLength });

const SERVER_NAME_MAX = 128;
const CREDENTIAL_MAX = 30;
/** "The maximum parameter length is 256 characters." */
const REMOTE_NAME_MAX = 256;
/** u-blox file names are at most 248 characters. */
const LOCAL_NAME_MAX = 248;
const INACTIVITY_MAX_S = 86_400;
/** <inactivity_timeout> 0: the module waits for the server as long as it takes. */
const FOREVER_MS = 365 * 86_400_000;

interface ProfileOp {
  read(p: FtpProfile): string;
  specs(ctx: Ctx): ParamSpec[];
  set(p: FtpProfile, v: Record<string, unknown>): void;
  reset(p: FtpProfile): void;
}

const field = <K extends keyof FtpProfile>(key: K, spec: ParamSpec, show: (p: FtpProfile) => string = (p) => String(p[key])): ProfileOp => ({
  read: show,
  specs: () => [spec],
  set: (p, v) => {
    p[key] = v[spec.name] as FtpProfile[K];
  },
  reset: (p) => {
    p[key] = FTP_PROFILE_DEFAULTS[key];
  },
});

/** +UFTP <op_code>s. A server IP and a server name replace each other. */
const PROFILE_OPS: Record<number, ProfileOp> = {
  0: {
    read: (p) => q(p.serverIp),
    specs: () => [str('ip', 64, 1)],
    set: (p, v) => {
      p.serverIp = v.ip as string;
      p.serverName = '';
    },
    reset: (p) => {
      p.serverIp = '';
    },
  },
  1: {
    read: (p) => q(p.serverName),
    specs: () => [str('name', SERVER_NAME_MAX, 1)],
    set: (p, v) => {
      p.serverName = v.name as string;
      p.serverIp = '';
    },
    reset: (p) => {
      p.serverName = '';
    },
  },
  2: field('username', str('username', CREDENTIAL_MAX), (p) => q(p.username)),
  // The password reads back empty, like the security profiles' secrets.
  3: field('password', str('password', CREDENTIAL_MAX), () => q('')),
  4: field('account', str('account', CREDENTIAL_MAX), (p) => q(p.account)),
  5: field('inactivityS', int('timeout', 0, INACTIVITY_MAX_S)),
  6: field('mode', int('mode', 0, 1)),
  7: field('port', int('port', 1, 65535)),
  8: {
    read: (p) => (p.secure ? `1,${p.securityProfile}` : '0'),
    specs: (ctx) => [int('secure', 0, 1), int('profile', 0, ctx.module.model.tls.profiles - 1, true)],
    set: (p, v) => {
      if (v.secure === 0 && v.profile !== undefined) throw cme(UbloxCme.badParameter, 'security profile without security');
      p.secure = v.secure === 1;
      p.securityProfile = (v.profile as number | undefined) ?? 0;
    },
    reset: (p) => {
      p.secure = false;
      p.securityProfile = 0;
    },
  },
};

const PROFILE_OP_CODES = Object.keys(PROFILE_OPS).map(Number);

/** +UFTPC op codes this module runs (9 and 12 are RFU; 100, FOTA, is not emulated). */
const Op = {
  logout: 0,
  login: 1,
  delete: 2,
  rename: 3,
  retrieve: 4,
  store: 5,
  retrieveDirect: 6,
  storeDirect: 7,
  cd: 8,
  mkdir: 10,
  rmdir: 11,
  info: 13,
  list: 14,
} as const;
const OP_CODES: number[] = Object.values(Op);

/** The module's one FTP client job at a time: its end gives +UUFTPCR and sets +UFTPER. */
function settle(module: ModuleHost, op: number, ok: boolean, err?: unknown): void {
  const state = ftpState(module);
  if (state.running === op) state.running = undefined;
  state.lastError = ok ? FTP_NO_ERROR : err === 'aborted' ? [FTP_CLIENT_ERROR_CLASS, FtpClientError.aborted] : ftpErrorPair(err);
  if (!ok && err !== 'aborted' && !(err instanceof FtpFailure)) module.log(`FTP op ${op} failed`, err);
  module.urc(`+UUFTPCR: ${op},${ok ? 1 : 0}`);
}

/** Runs an operation in the background: the command has answered OK already. */
function background(ctx: Ctx, op: number, job: () => Promise<void>): void {
  const module = ctx.module;
  ftpState(module).running = op;
  void Promise.resolve()
    .then(job)
    .then(
    () => settle(module, op, true),
    (err: unknown) => settle(module, op, false, err),
  );
}

/** What +UFTPC=1 opens, from the profile. */
function openRequest(profile: FtpProfile): FtpOpenRequest {
  const host = profile.serverName || profile.serverIp;
  if (!host) throw new FtpFailure('connect', 'no server in the FTP profile');
  return {
    host,
    port: profile.port,
    user: profile.username,
    password: profile.password,
    timeoutMs: profile.inactivityS === 0 ? FOREVER_MS : profile.inactivityS * 1000,
    active: profile.mode === 0,
    ...(profile.secure ? { secure: { profileId: profile.securityProfile, reuseSession: true } } : {}),
  };
}

/** +UUFTPCD: <op>,<len>,"<data>": the bytes as they are, between quotes. */
function dataUrc(module: ModuleHost, op: number, data: Buffer): void {
  module.urc(`+UUFTPCD: ${op},${data.length},"${data.toString('latin1')}"`);
}

async function collect(stream: NodeJS.ReadableStream): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/** Retrieve to the module file system: streamed to disk, committed once the server confirmed. */
async function retrieveToFile(ctx: Ctx, remote: string, local: string, restart: boolean): Promise<void> {
  const files = ctx.module.services.files;
  const startAt = restart && files.exists(local) ? files.size(local) : 0;
  const writer = files.createWriter(local, { append: startAt > 0 });
  try {
    const transfer = await ftp(ctx).download(remote, { startAt });
    let refused: unknown;
    transfer.stream.on('data', (chunk: Buffer) => {
      if (refused) return;
      try {
        writer.write(chunk);
      } catch (err) {
        refused = err;
        transfer.abort();
      }
    });
    await transfer.done.catch((err: unknown) => {
      throw refused ?? err;
    });
    if (refused) throw refused;
    writer.commit();
  } catch (err) {
    writer.abort();
    throw err;
  }
}

/** Store from the module file system; with <number_of_byte>, APPE from that offset of the local file. */
async function storeFromFile(ctx: Ctx, local: string, remote: string, offset: number | undefined): Promise<void> {
  const bytes = ctx.module.services.files.read(local, offset ?? 0);
  const transfer = await ftp(ctx).upload(remote, { append: offset !== undefined });
  transfer.stream.end(bytes);
  await transfer.done;
}

async function listing(ctx: Ctx, op: number, path: string): Promise<void> {
  const service = ftp(ctx);
  const transfer = op === Op.info ? await service.list(path) : await service.names(path);
  const [data] = await Promise.all([collect(transfer.stream), transfer.done]);
  dataUrc(ctx.module, op, data);
}

/** Parameters after the op code, per op code. */
function commandSpecs(op: number): ParamSpec[] {
  switch (op) {
    case Op.logout:
    case Op.login:
      return [];
    case Op.delete:
    case Op.cd:
    case Op.mkdir:
    case Op.rmdir:
      return [str('name', REMOTE_NAME_MAX, 1)];
    case Op.rename:
      return [str('name', REMOTE_NAME_MAX, 1), str('newName', REMOTE_NAME_MAX, 1)];
    case Op.retrieve:
      return [str('remote', REMOTE_NAME_MAX, 1), str('local', LOCAL_NAME_MAX, 1), int('mode', 0, 1, true)];
    case Op.store:
      return [str('local', LOCAL_NAME_MAX, 1), str('remote', REMOTE_NAME_MAX, 1), int('bytes', 0, 2 ** 31 - 1, true)];
    case Op.retrieveDirect:
    case Op.storeDirect:
      return [str('remote', REMOTE_NAME_MAX, 1), int('bytes', 0, 2 ** 31 - 1, true)];
    default:
      return [{ ...str('name', REMOTE_NAME_MAX), optional: true }];
  }
}

export const ftpCommands = defineCommands(import.meta.url, [
  {
    name: '+UFTP',
    set(ctx, _args, raw) {
      const head = ctx.validate(raw.slice(0, 1), [{ name: 'op', type: 'int', values: PROFILE_OP_CODES }]);
      const op = PROFILE_OPS[head.op as number]!;
      const profile = ftpState(ctx.module).profile;
      const values: RawParam[] = raw.slice(1);
      if (values.length === 0) {
        op.reset(profile);
        return;
      }
      const v = ctx.validate(values, op.specs(ctx));
      // Checked on a copy, so a refused value changes nothing.
      const next = { ...profile };
      op.set(next, v);
      Object.assign(profile, next);
    },
    read(ctx) {
      const profile = ftpState(ctx.module).profile;
      for (const code of PROFILE_OP_CODES) ctx.info(`+UFTP: ${code},${PROFILE_OPS[code]!.read(profile)}`);
    },
    test(ctx) {
      ctx.info(`+UFTP: ${formatList(PROFILE_OP_CODES)}`);
    },
  },
  {
    name: '+UFTPC',
    async set(ctx, _args, raw) {
      const head = ctx.validate(raw.slice(0, 1), [{ name: 'op', type: 'int', values: OP_CODES }]);
      const op = head.op as number;
      const v = ctx.validate(raw.slice(1), commandSpecs(op));
      const state = ftpState(ctx.module);
      // One FTP job at a time: a second command while one runs is refused and changes nothing.
      if (state.running !== undefined) throw cme(UbloxCme.notAllowed, 'an FTP command is running');
      const service = ftp(ctx);
      switch (op) {
        case Op.logout:
          return background(ctx, op, () => service.close());
        case Op.login: {
          const profile = { ...state.profile };
          return background(ctx, op, () => service.open(openRequest(profile)));
        }
        case Op.delete:
          return background(ctx, op, () => service.remove(v.name as string));
        case Op.rename:
          return background(ctx, op, () => service.rename(v.name as string, v.newName as string));
        case Op.cd:
          return background(ctx, op, () => service.cd(v.name as string));
        case Op.mkdir:
          return background(ctx, op, () => service.mkdir(v.name as string));
        case Op.rmdir:
          return background(ctx, op, () => service.rmdir(v.name as string));
        case Op.info:
        case Op.list:
          return background(ctx, op, () => listing(ctx, op, (v.name as string | undefined) ?? ''));
        case Op.retrieve:
          return background(ctx, op, () => retrieveToFile(ctx, v.remote as string, v.local as string, v.mode === 1));
        case Op.store: {
          const local = v.local as string;
          if (!ctx.module.services.files.exists(local)) {
            state.lastError = [FTP_CLIENT_ERROR_CLASS, FtpClientError.localFile];
            throw cme(1612, `no file ${local}`);
          }
          return background(ctx, op, () => storeFromFile(ctx, local, v.remote as string, v.bytes as number | undefined));
        }
        case Op.retrieveDirect:
        case Op.storeDirect: {
          // CONNECT once the server started the transfer; a failure before it answers with
          // +CME ERROR: 3 ("operation not allowed") and leaves its cause for +UFTPER.
          const remote = v.remote as string;
          const offset = v.bytes as number | undefined;
          state.running = op;
          const module = ctx.module;
          const done = (ok: boolean, err?: unknown) => settle(module, op, ok, err);
          try {
            if (op === Op.retrieveDirect) {
              const transfer = await service.download(remote, { startAt: offset ?? 0 });
              return ctx.goOnline(retrievePipe(transfer, done));
            }
            const transfer = await service.upload(remote, { append: offset !== undefined && offset > 0 });
            return ctx.goOnline(storePipe(transfer, done));
          } catch (err) {
            state.running = undefined;
            state.lastError = ftpErrorPair(err);
            throw cme(UbloxCme.notAllowed, err instanceof Error ? err.message : String(err));
          }
        }
      }
    },
    test(ctx) {
      ctx.info(`+UFTPC: ${formatList(OP_CODES)}`);
    },
  },
  {
    name: '+UFTPER',
    action(ctx) {
      const [cls, code] = ftpState(ctx.module).lastError;
      ctx.info(`+UFTPER: ${cls},${code}`);
    },
  },
]);
