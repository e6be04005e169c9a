import { q, type ParamSpec } from '@modemlab/at';
import type { CommandContext } from '../../engine/context.js';
import { cme } from '../../engine/failure.js';
import { defineCommands, type CommandDef } from '../../engine/registry.js';
import { PDP_TYPES, type ActiveContext, type PdpType } from '../../services/network/pdp.js';
import type { ServiceCall } from './service-errors.js';

const APN_MAX = 99;

/** The model's cid range as a test response shows it: `(1-5)`. */
export const cidRange = (ctx: CommandContext): string => `(${ctx.module.model.limits.cidMin}-${ctx.module.model.limits.cidMax})`;

/** One +CGPADDR line: the cid and each address the context holds, quoted. */
export function cgpaddrLine(ctx: CommandContext, cid: number): string {
  const c = ctx.module.services.pdp.context(cid);
  const addresses = [c?.ipv4, c?.ipv6].filter((a): a is string => Boolean(a));
  return `+CGPADDR: ${[String(cid), ...addresses.map(q)].join(',')}`;
}

/** What the vendors' +CGDCONT differ by; the definition itself goes to the shared PDP service. */
export interface CgdcontOptions {
  /** The PDP type and APN may be written unquoted (Telit: `AT+CGDCONT=1,IP,"ibox.tim.it"`). */
  allowBare: boolean;
  dcompMax: number;
  hcompMax: number;
  /** Further optional integer parameters (0-255) the set form accepts and ignores. */
  extraParams: number;
  /** The +CME ERROR for a PDP type the module does not know, or parameters without a type. */
  badParameter: number;
  service: ServiceCall;
  /** The <PDP_addr> field of the read form. */
  addressField(c: ActiveContext | undefined): string;
  test(ctx: CommandContext): void;
}

/** +CGDCONT: define (or with the cid alone undefine) a context; read lists the definitions. */
export function cgdcontCommand(o: CgdcontOptions): CommandDef {
  const bare = o.allowBare ? { allowBare: true } : {};
  const [def] = defineCommands(import.meta.url, [
    {
      name: '+CGDCONT',
      set(ctx, _args, raw) {
        const { cidMin, cidMax } = ctx.module.model.limits;
        const v = ctx.validate(raw, [
          { name: 'cid', type: 'int', min: cidMin, max: cidMax },
          { name: 'type', type: 'string', ...bare, optional: true },
          { name: 'apn', type: 'string', ...bare, maxLength: APN_MAX, optional: true },
          { name: 'addr', type: 'string', optional: true },
          { name: 'dcomp', type: 'int', min: 0, max: o.dcompMax, optional: true },
          { name: 'hcomp', type: 'int', min: 0, max: o.hcompMax, optional: true },
          ...Array.from({ length: o.extraParams }, (_, i): ParamSpec => ({ name: `x${i}`, type: 'int', min: 0, max: 255, optional: true })),
        ]);
        const cid = v.cid as number;
        const pdp = ctx.module.services.pdp;
        if (v.type === undefined) {
          if (raw.length > 1) throw cme(o.badParameter);
          o.service(() => pdp.undefine(cid));
          return;
        }
        const type = (v.type as string).toUpperCase() as PdpType;
        if (!PDP_TYPES.includes(type)) throw cme(o.badParameter);
        o.service(() => pdp.define(cid, type, (v.apn as string | undefined) ?? ''));
      },
      read(ctx) {
        const pdp = ctx.module.services.pdp;
        const trailer = ctx.module.model.cgdcontTrailer;
        for (const d of pdp.definitionsList()) {
          const c = pdp.context(d.cid);
          ctx.info(`+CGDCONT: ${d.cid},${q(c?.assignedType ?? d.type)},${q(d.apn)},${q(o.addressField(c))},${trailer}`);
        }
      },
      test: o.test,
    },
  ]);
  return def!;
}

/** What the vendors' +CGATT differ by: the refusal with the radio off and the test response's range. */
export interface CgattOptions {
  notAllowed: number;
  testRange: string;
}

/** +CGATT: packet-switched attach and detach; read reports registration. */
export function cgattCommand({ notAllowed, testRange }: CgattOptions): CommandDef {
  const [def] = defineCommands(import.meta.url, [
    {
      name: '+CGATT',
      params: [{ name: 'state', type: 'int', min: 0, max: 1 }],
      set(ctx, { state }) {
        const net = ctx.module.services.network;
        if (state === 1 && !net.radioOn) throw cme(notAllowed);
        net.setPsAttach(state === 1);
      },
      read(ctx) {
        ctx.info(`+CGATT: ${ctx.module.services.network.registered ? 1 : 0}`);
      },
      test(ctx) {
        ctx.info(`+CGATT: ${testRange}`);
      },
    },
  ]);
  return def!;
}
