import { q, type ParamSpec, type RawParam } from '@modemlab/at';
import type { CommandContext } from '../../engine/context.js';
import { cme, plainError } from '../../engine/failure.js';
import { defineCommands } from '../../engine/registry.js';
import type { ModuleHost } from '../../module-host.js';
import type { TlsTable } from '../../models/tls-table.js';
import { ianaFromBytes, ianaHex } from '../../models/cipher-suites.js';
import { PROFILE_LIMITS, ProfileError, type SecurityProfile, type SecurityProfiles, type SessionEvent } from '../../services/tls/profiles.js';
import { UbloxCme } from './errors.js';

/**
 * +USECPRF, the security profile manager (seed 002). `AT+USECPRF=<p>` resets a profile,
 * `AT+USECPRF=<p>,<op>` reads one parameter, `AT+USECPRF=<p>,<op>,<values>` sets it.
 * Decisions where the manual is silent (also in docs/architecture.md):
 * - the key password (op 7) and the PSK (op 8) are write-only: they read back as "";
 * - the PSK identity (op 9) reads back with `,1` when it was given as hex;
 * - unset pinning reads `"",0`; unset session data read `"",""` / `"",0`;
 * - session resumption tags and types that need local encryption (12, 13, 15 / 10, 11,
 *   13) answer "operation not allowed" (3) while the device is not sealed or the
 *   LocalDataProtection feature is not authorized, "operation not supported" (4) on a
 *   product without them; encrypted data (tags 12, 13, 15) that is not this module's (another
 *   RoT, tampered) is a bad parameter (50); a full IANA list answers "operation not allowed" (3);
 * - removing a suite that is not listed, or adding one that is, changes nothing and
 *   answers OK;
 * - the op 13 tag 5 data prompt times out like a +USECMNG import (1910).
 */

const SESSION_DATA_TIMEOUT = 1910;

const CIPHER_DEFAULT = 0;
const CIPHER_IANA = 99;
const CIPHER_LIST = 100;

type Ctx = CommandContext;

const table = (ctx: Ctx): TlsTable => ctx.module.model.tls;
const profiles = (ctx: Ctx): SecurityProfiles => ctx.module.services.securityProfiles;

/** Runs a profile change and turns its refusal into the u-blox error. */
function change(call: () => void): void {
  try {
    call();
  } catch (err) {
    if (!(err instanceof ProfileError)) throw err;
    const code = err.reason === 'not-supported' ? UbloxCme.notSupported : err.reason === 'list-full' || err.reason === 'not-authorized' ? UbloxCme.notAllowed : UbloxCme.badParameter;
    throw cme(code, err.message);
  }
}

const int = (name: string, min: number, max: number, optional = false): ParamSpec => ({ name, type: 'int', min, max, optional });
const oneOf = (name: string, values: readonly number[]): ParamSpec => ({ name, type: 'int', values });
const str = (name: string, maxLength: number): ParamSpec => ({ name, type: 'string', maxLength });

type StringField = 'rootCa' | 'serverHostname' | 'clientCert' | 'clientKey' | 'clientKeyPassword' | 'sni' | 'alpn';
type NumberField = 'validation' | 'tlsVersion' | 'rotPsk' | 'ztp' | 'database';

/** One op code: what its read shows after `<p>,<op>,` and how its values are set. */
interface Op {
  read(ctx: Ctx, p: number, rest: RawParam[]): string;
  set(ctx: Ctx, p: number, values: RawParam[]): void | Promise<void>;
}

const numberOp = (field: NumberField, spec: (ctx: Ctx) => ParamSpec): Op => ({
  read: (ctx, p) => String(profiles(ctx).get(p)[field]),
  set(ctx, p, values) {
    const v = ctx.validate(values, [spec(ctx)]);
    change(() => profiles(ctx).set(p, field, v.value as number));
  },
});

const stringOp = (field: StringField, maxLength: number, writeOnly = false): Op => ({
  read: (ctx, p) => q(writeOnly ? '' : profiles(ctx).get(p)[field]),
  set(ctx, p, values) {
    const v = ctx.validate(values, [str('value', maxLength)]);
    change(() => profiles(ctx).set(p, field, v.value as string));
  },
});

const pskOp = (field: 'psk' | 'pskIdentity', writeOnly: boolean): Op => ({
  read(ctx, p) {
    const value = profiles(ctx).get(p)[field];
    if (writeOnly) return q('');
    return value.hex ? `${q(value.value)},1` : q(value.value);
  },
  set(ctx, p, values) {
    const hexAllowed = field === 'psk' || table(ctx).pskIdentityHex;
    const longest = field === 'psk' ? PROFILE_LIMITS.pskHex : PROFILE_LIMITS.pskIdentityHex;
    const specs = [str('value', longest), ...(hexAllowed ? [int('type', 0, 1, true)] : [])];
    const v = ctx.validate(values, specs);
    change(() => profiles(ctx).setPsk(p, field, { value: v.value as string, hex: v.type === 1 }));
  },
});

function readCipher(profile: SecurityProfile): string {
  const c = profile.cipher;
  switch (c.kind) {
    case 'default':
      return String(CIPHER_DEFAULT);
    case 'legacy':
      return String(c.legacy);
    case 'iana': {
      const hex = ianaHex(c.code);
      return `${CIPHER_IANA},${q(hex.slice(0, 2))},${q(hex.slice(2))}`;
    }
    case 'list':
      return `${CIPHER_LIST},${q(c.codes.map(ianaHex).join(';'))}`;
  }
}

const cipherOp: Op = {
  read: (ctx, p) => readCipher(profiles(ctx).get(p)),
  set(ctx, p, values) {
    const t = table(ctx);
    const methods = [CIPHER_DEFAULT, ...t.legacyCipherSuites, ...(t.ianaCipherSuite ? [CIPHER_IANA] : []), ...(t.ianaCipherList ? [CIPHER_LIST] : [])];
    const { method } = ctx.validate(values.slice(0, 1), [oneOf('method', methods)]);
    const bytes = [str('b1', 2), str('b2', 2)];
    if (method === CIPHER_IANA || method === CIPHER_LIST) {
      const extra = method === CIPHER_LIST ? [oneOf('operation', [0, 1])] : [];
      const v = ctx.validate(values.slice(1), [...bytes, ...extra]);
      const code = ianaFromBytes(v.b1 as string, v.b2 as string);
      if (code === undefined) throw cme(UbloxCme.badParameter, 'IANA bytes');
      if (method === CIPHER_IANA) change(() => profiles(ctx).setIanaCipher(p, code));
      else change(() => profiles(ctx).changeCipherList(p, code, v.operation === 0 ? 'add' : 'remove'));
      return;
    }
    if (values.length > 1) throw cme(UbloxCme.badParameter, 'too many parameters');
    change(() => profiles(ctx).setLegacyCipher(p, method as number));
  },
};

/**
 * op 11 (seed 001 §6.1.1.2): turning the RoT PSK on needs the PSK feature (sealed and
 * authorized: "operation not allowed" otherwise) and, as the seed prints, an external
 * connection ("+CME ERROR: No connection to phone", 1, without one). Turning it off always works.
 */
const rotPskOp: Op = {
  read: (ctx, p) => String(profiles(ctx).get(p).rotPsk),
  set(ctx, p, values) {
    const v = ctx.validate(values, [int('value', 0, 1)]);
    if (v.value === 1) {
      const s = ctx.module.services;
      try {
        s.keys.psk.check();
      } catch (err) {
        ctx.module.log(`+USECPRF op 11 refused: ${(err as Error).message}`);
        throw cme(UbloxCme.notAllowed, (err as Error).message);
      }
      if (!s.network.registered || !s.pdp.hasDataPath()) {
        ctx.module.log('+USECPRF op 11 refused: no connection');
        throw cme(UbloxCme.noConnection, 'no connection');
      }
    }
    change(() => profiles(ctx).set(p, 'rotPsk', v.value as number));
  },
};

const pinningOp: Op = {
  read(ctx, p) {
    const { certificate, level } = profiles(ctx).get(p).pinning;
    return `${q(certificate)},${level}`;
  },
  set(ctx, p, values) {
    const v = ctx.validate(values, [str('name', PROFILE_LIMITS.name), int('level', 0, 2)]);
    change(() => profiles(ctx).setPinning(p, { certificate: v.name as string, level: v.level as number }));
  },
};

const SESSION_STATUS = 0;
const SESSION_TYPE = 1;
const SESSION_ID = 2;
const SESSION_TICKET = 3;
const SESSION_PSK_TICKET = 5;
const SESSION_ENC_ID = 12;
const SESSION_ENC_TICKET = 13;
const SESSION_ENC_PSK_TICKET = 15;

const sessionOp: Op = {
  read(ctx, p, rest) {
    const { tag } = ctx.validate(rest, [int('tag', 0, 255)]);
    change(() => profiles(ctx).assertSessionTag(tag as number));
    const s = profiles(ctx).session(p);
    switch (tag) {
      case SESSION_STATUS:
        return `${tag},${s.status}`;
      case SESSION_TYPE:
        return `${tag},${s.type}`;
      case SESSION_ID:
        return `${tag},${q(s.sessionId?.id ?? '')},${q(s.sessionId?.masterSecret ?? '')}`;
      case SESSION_ENC_ID:
      case SESSION_ENC_TICKET:
      case SESSION_ENC_PSK_TICKET: {
        const data = s.encrypted?.[tag] ?? '';
        return `${tag},${q(data)},${data.length}`;
      }
      default: {
        const data = (tag === SESSION_TICKET ? s.ticket : s.pskTicket) ?? '';
        return `${tag},${q(data)},${data.length}`;
      }
    }
  },
  async set(ctx, p, values) {
    const { tag } = ctx.validate(values.slice(0, 1), [int('tag', 0, 255)]);
    change(() => profiles(ctx).assertSessionTag(tag as number));
    const rest = values.slice(1);
    const svc = profiles(ctx);
    switch (tag) {
      case SESSION_STATUS: {
        const v = ctx.validate(rest, [int('status', 0, 2)]);
        change(() => svc.setSessionStatus(p, v.status as number));
        return;
      }
      case SESSION_TYPE: {
        const v = ctx.validate(rest, [int('type', 0, 255)]);
        change(() => svc.setSessionType(p, v.type as number));
        return;
      }
      case SESSION_ID: {
        const v = ctx.validate(rest, [str('id', PROFILE_LIMITS.sessionId), str('secret', PROFILE_LIMITS.masterSecret)]);
        change(() => svc.setSessionId(p, v.id as string, v.secret as string));
        return;
      }
      case SESSION_TICKET:
      case SESSION_ENC_ID:
      case SESSION_ENC_TICKET: {
        const max = table(ctx).maxSessionData;
        const v = ctx.validate(rest, [str('data', max), int('size', 1, max)]);
        if ((v.data as string).length !== v.size) throw cme(UbloxCme.badParameter, 'size differs from the data');
        if (tag === SESSION_TICKET) change(() => svc.setSessionData(p, SESSION_TICKET, v.data as string));
        else change(() => svc.setEncryptedSessionData(p, tag as 12 | 13, v.data as string));
        return;
      }
      case SESSION_PSK_TICKET:
      case SESSION_ENC_PSK_TICKET: {
        const t = table(ctx);
        const v = ctx.validate(rest, [int('size', 1, t.maxSessionData)]);
        const input = await ctx.prompt({ kind: 'binary', length: v.size as number, char: '>', guardMs: t.sessionDataGuardMs });
        if (input.status === 'timeout') throw cme(SESSION_DATA_TIMEOUT, `${input.received} of ${v.size} bytes`);
        if (input.status === 'cancelled') throw plainError('session data cancelled');
        const data = input.data.toString('latin1');
        if (tag === SESSION_PSK_TICKET) change(() => svc.setSessionData(p, SESSION_PSK_TICKET, data));
        else change(() => svc.setEncryptedSessionData(p, SESSION_ENC_PSK_TICKET, data));
        return;
      }
      default:
        throw cme(UbloxCme.badParameter, `session tag ${tag}`);
    }
  },
};

const OPS: Record<number, Op> = {
  0: numberOp('validation', () => int('value', 0, 3)),
  1: numberOp('tlsVersion', (ctx) => oneOf('value', Object.keys(table(ctx).versions).map(Number))),
  2: cipherOp,
  3: stringOp('rootCa', PROFILE_LIMITS.name),
  4: stringOp('serverHostname', PROFILE_LIMITS.serverHostname),
  5: stringOp('clientCert', PROFILE_LIMITS.name),
  6: stringOp('clientKey', PROFILE_LIMITS.name),
  7: stringOp('clientKeyPassword', PROFILE_LIMITS.password, true),
  8: pskOp('psk', true),
  9: pskOp('pskIdentity', false),
  10: stringOp('sni', PROFILE_LIMITS.sni),
  11: rotPskOp,
  12: pinningOp,
  13: sessionOp,
  14: numberOp('ztp', () => int('value', 0, 2)),
  15: stringOp('alpn', PROFILE_LIMITS.alpn),
  16: numberOp('database', () => int('value', 0, 2)),
};

/** "(0-16)", "(0-10,12,13,15,16)": runs of three or more collapse. */
export function formatList(values: readonly number[]): string {
  const sorted = [...values].sort((a, b) => a - b);
  const parts: string[] = [];
  for (let i = 0; i < sorted.length; ) {
    let j = i;
    while (j + 1 < sorted.length && sorted[j + 1] === sorted[j]! + 1) j++;
    if (j - i >= 2) parts.push(`${sorted[i]}-${sorted[j]}`);
    else for (let k = i; k <= j; k++) parts.push(String(sorted[k]));
    i = j + 1;
  }
  return `(${parts.join(',')})`;
}

export const usecprfCommands = defineCommands(import.meta.url, [
  {
    name: '+USECPRF',
    async set(ctx, _args, raw) {
      const t = table(ctx);
      const head = ctx.validate(raw.slice(0, 2), [int('profile', 0, t.profiles - 1), { ...oneOf('op', t.opCodes.filter((op) => OPS[op])), optional: true }]);
      const p = head.profile as number;
      if (head.op === undefined) {
        if (raw.length > 1) throw cme(UbloxCme.badParameter, 'op code omitted');
        change(() => profiles(ctx).reset(p));
        return;
      }
      const op = head.op as number;
      const values = raw.slice(2);
      const handler = OPS[op]!;
      // Op 13 reads take the tag: AT+USECPRF=<p>,13,<tag>.
      const isRead = op === 13 ? values.length === 1 : values.length === 0;
      if (isRead) {
        ctx.info(`+USECPRF: ${p},${op},${handler.read(ctx, p, values)}`);
        return;
      }
      await handler.set(ctx, p, values);
    },
    test(ctx) {
      const t = table(ctx);
      ctx.info(`+USECPRF: ${formatList(Array.from({ length: t.profiles }, (_, i) => i))},${formatList(t.opCodes)}`);
    },
  },
]);

/** +UUSECPRF: what a handshake learned for a profile with session resumption on. */
export function sessionUrc(e: SessionEvent): string {
  switch (e.kind) {
    case 'type':
      return `+UUSECPRF: ${e.profileId},13,${SESSION_TYPE},${e.type}`;
    case 'session-id':
      return `+UUSECPRF: ${e.profileId},13,${SESSION_ID},${q(e.id)},${q(e.masterSecret)}`;
    case 'encrypted-session-id':
      return `+UUSECPRF: ${e.profileId},13,${SESSION_ENC_ID},${q(e.data)},${e.data.length}`;
    case 'status':
      return `+UUSECPRF: ${e.profileId},13,${SESSION_STATUS},${e.status}`;
  }
}

export function wireUsecprfUrcs(module: ModuleHost): void {
  module.services.securityProfiles.on('session', (e) => module.urc(sessionUrc(e)));
}
