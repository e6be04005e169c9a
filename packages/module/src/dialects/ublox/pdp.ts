import { q, type ParamSpec, type RawParam } from '@modemlab/at';
import { cme } from '../../engine/failure.js';
import type { CommandContext } from '../../engine/context.js';
import { defineCommands } from '../../engine/registry.js';
import { PDP_TYPES, type ActiveContext, type AuthProtocol } from '../../services/network/pdp.js';
import { cgattCommand, cgdcontCommand, cgpaddrLine, cidRange } from '../shared/pdp.js';
import { UbloxCme } from './errors.js';
import { service } from './service-errors.js';

const CREDENTIAL_MAX = 64;

function cidSpec(ctx: CommandContext, name = 'cid', optional = false): ParamSpec {
  const { cidMin, cidMax } = ctx.module.model.limits;
  return { name, type: 'int', min: cidMin, max: cidMax, optional };
}

/** A list of cids (`=1,2,3`); each one validated, none may be missing. */
function cidList(ctx: CommandContext, raw: RawParam[]): number[] {
  return raw.map((p) => ctx.validate([p], [cidSpec(ctx)]).cid as number);
}

function requireDefined(ctx: CommandContext, cid: number): void {
  if (!ctx.module.services.pdp.definition(cid)) throw cme(UbloxCme.unknownPdpContext);
}

/** Both addresses of a dual-stack context share the one field, separated by a blank. */
const addressField = (c: ActiveContext | undefined): string => [c?.ipv4, c?.ipv6].filter(Boolean).join(' ');

/** External PDP contexts: definition, activation, attach, addresses, events. */
export const pdpCommands = defineCommands(import.meta.url, [
  cgdcontCommand({
    allowBare: false,
    dcompMax: 2,
    hcompMax: 4,
    extraParams: 10,
    badParameter: UbloxCme.badParameter,
    service,
    addressField,
    test(ctx) {
      const extra = ctx.module.model.cgdcontTrailer.split(',').length - 2;
      const tail = ['(0-2)', '(0-4)', ...Array.from({ length: Math.max(0, extra) }, () => '(0-1)')].join(',');
      for (const t of PDP_TYPES) ctx.info(`+CGDCONT: ${cidRange(ctx)},${q(t)},,,${tail}`);
    },
  }),
  {
    name: '+CGACT',
    set(ctx, _args, raw) {
      const { state } = ctx.validate(raw.slice(0, 1), [{ name: 'state', type: 'int', min: 0, max: 1 }]);
      const pdp = ctx.module.services.pdp;
      const given = cidList(ctx, raw.slice(1));
      for (const cid of given) requireDefined(ctx, cid);
      const cids = given.length > 0 ? given : pdp.definitionsList().map((d) => d.cid);
      if (state === 1) {
        // Every context is checked before the first one changes.
        for (const cid of cids) service(() => pdp.checkActivation(cid));
        const fresh = cids.filter((c) => !pdp.isActive(c));
        if (pdp.activeList().length + fresh.length > pdp.limits.maxActiveContexts) throw cme(UbloxCme.notAllowed);
        for (const cid of cids) service(() => pdp.activate(cid));
      } else {
        for (const cid of cids) service(() => pdp.deactivate(cid));
      }
    },
    read(ctx) {
      const pdp = ctx.module.services.pdp;
      for (const d of pdp.definitionsList()) ctx.info(`+CGACT: ${d.cid},${pdp.isActive(d.cid) ? 1 : 0}`);
    },
    test(ctx) {
      ctx.info('+CGACT: (0-1)');
    },
  },
  cgattCommand({ notAllowed: UbloxCme.notAllowed, testRange: '(0-1)' }),
  {
    name: '+CGPADDR',
    set(ctx, _args, raw) {
      const cids = cidList(ctx, raw);
      for (const cid of cids) requireDefined(ctx, cid);
      for (const cid of cids) ctx.info(cgpaddrLine(ctx, cid));
    },
    action(ctx) {
      for (const d of ctx.module.services.pdp.definitionsList()) ctx.info(cgpaddrLine(ctx, d.cid));
    },
    test(ctx) {
      ctx.info(`+CGPADDR: (${ctx.module.services.pdp.definitionsList().map((d) => d.cid).join(',')})`);
    },
  },
  {
    name: '+CGCONTRDP',
    set(ctx, _args, raw) {
      const { cid } = ctx.validate(raw, [cidSpec(ctx)]);
      requireDefined(ctx, cid as number);
      const c = ctx.module.services.pdp.context(cid as number);
      if (c) for (const line of contrdpLines(c)) ctx.info(line);
    },
    action(ctx) {
      for (const c of ctx.module.services.pdp.activeList()) for (const line of contrdpLines(c)) ctx.info(line);
    },
    test(ctx) {
      ctx.info(`+CGCONTRDP: (${ctx.module.services.pdp.activeList().map((c) => c.cid).join(',')})`);
    },
  },
  {
    name: '+UAUTHREQ',
    set(ctx, _args, raw) {
      const v = ctx.validate(raw, [
        cidSpec(ctx),
        { name: 'auth', type: 'int', min: 0, max: 3 },
        { name: 'user', type: 'string', maxLength: CREDENTIAL_MAX, optional: true, default: '' },
        { name: 'password', type: 'string', maxLength: CREDENTIAL_MAX, optional: true, default: '' },
      ]);
      service(() => ctx.module.services.pdp.setAuth(v.cid as number, v.auth as AuthProtocol, v.user as string, v.password as string));
    },
    // The password is never shown back.
    read(ctx) {
      for (const d of ctx.module.services.pdp.definitionsList()) ctx.info(`+UAUTHREQ: ${d.cid},${d.auth},${q(d.username)}`);
    },
    test(ctx) {
      ctx.info(`+UAUTHREQ: ${cidRange(ctx)},(0-3),${CREDENTIAL_MAX},${CREDENTIAL_MAX}`);
    },
  },
  {
    name: '+CGEREP',
    params: [
      { name: 'mode', type: 'int', min: 0, max: 2, optional: true, default: 0 },
      { name: 'bfr', type: 'int', min: 0, max: 1, optional: true, default: 0 },
    ],
    set(ctx, { mode, bfr }) {
      ctx.session.urcModes.set('+CGEREP', mode as number);
      ctx.session.urcModes.set('+CGEREP:bfr', bfr as number);
    },
    read(ctx) {
      ctx.info(`+CGEREP: ${ctx.session.urcMode('+CGEREP')},${ctx.session.urcMode('+CGEREP:bfr')}`);
    },
    test(ctx) {
      ctx.info('+CGEREP: (0-2),(0-1)');
    },
  },
]);

/** One line per IP family, as 27.007 asks for dual-stack contexts. */
function contrdpLines(c: ActiveContext): string[] {
  const [dns1 = '', dns2 = ''] = c.dns;
  const lines: string[] = [];
  if (c.ipv4) lines.push(`+CGCONTRDP: ${c.cid},${c.bearerId},${q(c.apn)},${q(`${c.ipv4}.255.255.255.255`)},"",${q(dns1)},${q(dns2)}`);
  if (c.ipv6) lines.push(`+CGCONTRDP: ${c.cid},${c.bearerId},${q(c.apn)},${q(c.ipv6)},"","",""`);
  if (lines.length === 0) lines.push(`+CGCONTRDP: ${c.cid},${c.bearerId},${q(c.apn)}`);
  return lines;
}
