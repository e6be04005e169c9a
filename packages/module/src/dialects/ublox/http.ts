import { q, type ParamSpec, type RawParam } from '@modemlab/at';
import type { CommandContext } from '../../engine/context.js';
import { cme } from '../../engine/failure.js';
import { defineCommands } from '../../engine/registry.js';
import type { ModuleHost } from '../../module-host.js';
import type { HttpTable } from '../../models/http-table.js';
import { HttpBusyError, HttpConfigError, type HttpMethodKind, type HttpService } from '../../services/http/http-service.js';
import { UbloxCme } from './errors.js';
import { httpErrorPair } from './http-errors.js';
import { formatList } from './usecprf.js';

/**
 * +UHTTP (profile configuration), +UHTTPC (requests) and +UHTTPER (last error), after the
 * SARA-R4/R5 manuals and ubxlib (notes §B). Decisions where they are silent (also in
 * docs/architecture.md):
 * - the password (op 3) reads back as "" like the security profiles' secrets;
 * - op 9 takes "<id>:<name>:<value>" (id 0-4); "<id>:" clears it; the read lists one line
 *   per header set, or "" when none is;
 * - PUT's content type is optional (default 2, application/octet-stream);
 * - a second request on a busy profile answers "operation not allowed" and changes nothing.
 */

type Ctx = CommandContext;

const http = (ctx: Ctx): HttpService => ctx.module.services.http;
const table = (ctx: Ctx): HttpTable => {
  const t = ctx.module.model.http;
  if (!t) throw cme(UbloxCme.notSupported, 'no HTTP client');
  return t;
};

const int = (name: string, min: number, max: number, optional = false): ParamSpec => ({ name, type: 'int', min, max, optional });
const str = (name: string, maxLength: number, optional = false): ParamSpec => ({ name, type: 'string', maxLength, optional });
/** A path or file name: not empty. */
const nonEmpty = (name: string, maxLength: number): ParamSpec => ({ name, type: 'string', maxLength, minLength: 1 });

/** Runs a profile change and turns its refusal into the u-blox error. */
function change(call: () => void): void {
  try {
    call();
  } catch (err) {
    if (err instanceof HttpConfigError) throw cme(UbloxCme.badParameter, err.message);
    throw err;
  }
}

interface Op {
  read(ctx: Ctx, p: number): string[];
  set(ctx: Ctx, p: number, values: RawParam[]): void;
}

const OPS: Record<number, Op> = {
  0: {
    read: (ctx, p) => [q(http(ctx).profiles.get(p).serverIp)],
    set(ctx, p, values) {
      const v = ctx.validate(values, [str('ip', 15)]);
      change(() => http(ctx).profiles.setServerIp(p, v.ip as string));
    },
  },
  1: {
    read: (ctx, p) => [q(http(ctx).profiles.get(p).serverName)],
    set(ctx, p, values) {
      const v = ctx.validate(values, [str('name', table(ctx).maxServerName)]);
      change(() => http(ctx).profiles.setServerName(p, v.name as string));
    },
  },
  2: {
    read: (ctx, p) => [q(http(ctx).profiles.get(p).username)],
    set(ctx, p, values) {
      const v = ctx.validate(values, [str('user', table(ctx).maxCredential)]);
      change(() => http(ctx).profiles.setCredential(p, 'username', v.user as string));
    },
  },
  3: {
    read: () => [q('')],
    set(ctx, p, values) {
      const v = ctx.validate(values, [str('password', table(ctx).maxCredential)]);
      change(() => http(ctx).profiles.setCredential(p, 'password', v.password as string));
    },
  },
  4: {
    read: (ctx, p) => [String(http(ctx).profiles.get(p).authType)],
    set(ctx, p, values) {
      const v = ctx.validate(values, [int('type', 0, 1)]);
      change(() => http(ctx).profiles.setAuthType(p, v.type as number));
    },
  },
  5: {
    read: (ctx, p) => [String(http(ctx).profiles.effectivePort(p))],
    set(ctx, p, values) {
      const v = ctx.validate(values, [int('port', 1, 65535)]);
      change(() => http(ctx).profiles.setPort(p, v.port as number));
    },
  },
  6: {
    read(ctx, p) {
      const profile = http(ctx).profiles.get(p);
      return [profile.secure ? `1,${profile.securityProfile}` : '0'];
    },
    set(ctx, p, values) {
      const v = ctx.validate(values, [int('secure', 0, 1), int('profile', 0, ctx.module.model.tls.profiles - 1, true)]);
      if (v.secure === 0 && v.profile !== undefined) throw cme(UbloxCme.badParameter, 'security profile without security');
      change(() => http(ctx).profiles.setSecure(p, v.secure === 1, (v.profile as number | undefined) ?? 0));
    },
  },
  7: {
    read: (ctx, p) => [String(http(ctx).profiles.get(p).timeoutS)],
    set(ctx, p, values) {
      const { min, max } = table(ctx).timeoutRangeS;
      const v = ctx.validate(values, [int('timeout', min, max)]);
      change(() => http(ctx).profiles.setTimeout(p, v.timeout as number));
    },
  },
  9: {
    read(ctx, p) {
      const lines = http(ctx)
        .profiles.get(p)
        .headers.flatMap((h, id) => (h ? [q(`${id}:${h.name}:${h.value}`)] : []));
      return lines.length ? lines : [q('')];
    },
    set(ctx, p, values) {
      const v = ctx.validate(values, [str('header', 256)]);
      const m = /^(\d+):([^:]*)(?::(.*))?$/s.exec(v.header as string);
      if (!m) throw cme(UbloxCme.badParameter, 'header syntax');
      change(() => http(ctx).profiles.setHeader(p, Number(m[1]), m[2]!, m[3] ?? ''));
    },
  },
};

/** +UHTTPC <http_command> numbers. */
const COMMANDS: readonly HttpMethodKind[] = ['head', 'get', 'delete', 'put', 'post-file', 'post-data'];
const COMMAND_NUMBER = Object.fromEntries(COMMANDS.map((m, i) => [m, i])) as Record<HttpMethodKind, number>;

/** <HTTP_content_type> 0-5; 6 is the user-defined one given next. */
const CONTENT_TYPES = ['application/x-www-form-urlencoded', 'text/plain', 'application/octet-stream', 'multipart/form-data', 'application/json', 'application/xml'];
const USER_CONTENT_TYPE = 6;
const MULTIPART = 3;
/** u-blox file names are at most 248 characters. */
const MAX_FILE_NAME = 248;

function profileSpec(ctx: Ctx): ParamSpec {
  const count = table(ctx).profiles;
  if (count === 0) throw cme(UbloxCme.notSupported, 'no HTTP profiles');
  return int('profile', 0, count - 1);
}

export const httpCommands = defineCommands(import.meta.url, [
  {
    name: '+UHTTP',
    set(ctx, _args, raw) {
      const head = ctx.validate(raw.slice(0, 2), [profileSpec(ctx), { name: 'op', type: 'int', values: Object.keys(OPS).map(Number), optional: true }]);
      const p = head.profile as number;
      if (head.op === undefined) {
        if (raw.length > 1) throw cme(UbloxCme.badParameter, 'op code omitted');
        http(ctx).profiles.reset(p);
        return;
      }
      const op = OPS[head.op as number]!;
      const values = raw.slice(2);
      if (values.length === 0) {
        for (const value of op.read(ctx, p)) ctx.info(`+UHTTP: ${p},${head.op},${value}`);
        return;
      }
      op.set(ctx, p, values);
    },
    test(ctx) {
      ctx.info(`+UHTTP: ${formatList(Array.from({ length: table(ctx).profiles }, (_, i) => i))},${formatList(Object.keys(OPS).map(Number))}`);
    },
  },
  {
    name: '+UHTTPC',
    set(ctx, _args, raw) {
      const t = table(ctx);
      const head = ctx.validate(raw.slice(0, 4), [profileSpec(ctx), int('command', 0, COMMANDS.length - 1), nonEmpty('path', t.maxPath), nonEmpty('file', MAX_FILE_NAME)]);
      const method = COMMANDS[head.command as number]!;
      const rest = raw.slice(4);
      const spec = { method, path: head.path as string, resultFile: head.file as string };
      let extra: { file?: string; data?: string; contentType?: string; multipart?: boolean } = {};
      if (method === 'put' || method === 'post-file' || method === 'post-data') {
        const first = method === 'post-data' ? str('data', t.maxPostData) : nonEmpty('source', MAX_FILE_NAME);
        const v = ctx.validate(rest, [first, int('type', 0, USER_CONTENT_TYPE, method === 'put'), str('userType', t.maxUserContentType, true)]);
        const type = (v.type as number | undefined) ?? 2;
        if ((type === USER_CONTENT_TYPE) !== (v.userType !== undefined)) throw cme(UbloxCme.badParameter, 'user-defined content type');
        const contentType = type === USER_CONTENT_TYPE ? (v.userType as string) : CONTENT_TYPES[type]!;
        extra = method === 'post-data' ? { data: v.data as string, contentType } : { file: v.source as string, contentType, multipart: method === 'post-file' && type === MULTIPART };
      } else if (rest.length > 0) throw cme(UbloxCme.badParameter, 'too many parameters');
      try {
        http(ctx).start(head.profile as number, { ...spec, ...extra });
      } catch (err) {
        if (err instanceof HttpBusyError) throw cme(UbloxCme.notAllowed, err.message);
        if (err instanceof HttpConfigError) throw cme(UbloxCme.badParameter, err.message);
        throw err;
      }
    },
    test(ctx) {
      ctx.info(`+UHTTPC: ${formatList(Array.from({ length: table(ctx).profiles }, (_, i) => i))},${formatList(COMMANDS.map((_, i) => i))}`);
    },
  },
  {
    name: '+UHTTPER',
    set(ctx, _args, raw) {
      const v = ctx.validate(raw, [profileSpec(ctx)]);
      const p = v.profile as number;
      const [cls, code] = httpErrorPair(http(ctx).lastError(p));
      ctx.info(`+UHTTPER: ${p},${cls},${code}`);
    },
  },
]);

/** +UUHTTPCR: <profile_id>,<http_command>,<http_result> (1 success, 0 failure). */
export function wireHttpUrcs(module: ModuleHost): void {
  module.services.http.on('result', (e) => module.urc(`+UUHTTPCR: ${e.profileId},${COMMAND_NUMBER[e.method]},${e.ok ? 1 : 0}`));
}
