import { q } from '@modemlab/at';
import { cme } from '../../engine/failure.js';
import type { CommandContext } from '../../engine/context.js';
import { defineCommands } from '../../engine/registry.js';
import { PDP_TYPES, type PdpType } from '../../services/network/pdp.js';
import { TelitCme } from './errors.js';
import { service } from './service-errors.js';

const APN_MAX = 99;
const CREDENTIAL_MAX = 20;

const cidRange = (ctx: CommandContext): string => `(${ctx.module.model.limits.cidMin}-${ctx.module.model.limits.cidMax})`;

/**
 * +CGDCONT and #SGACT (seed 003 §2.1): contexts are defined with +CGDCONT and activated
 * with #SGACT, which answers the address the network gave. The seed writes the PDP type
 * unquoted (`AT+CGDCONT=1,IP,"ibox.tim.it"`); both spellings are accepted.
 */
export const telitPdpCommands = defineCommands(import.meta.url, [
  {
    name: '+CGDCONT',
    set(ctx, _args, raw) {
      const { cidMin, cidMax } = ctx.module.model.limits;
      const v = ctx.validate(raw, [
        { name: 'cid', type: 'int', min: cidMin, max: cidMax },
        { name: 'type', type: 'string', allowBare: true, optional: true },
        { name: 'apn', type: 'string', allowBare: true, maxLength: APN_MAX, optional: true },
        { name: 'addr', type: 'string', optional: true },
        { name: 'dcomp', type: 'int', min: 0, max: 1, optional: true },
        { name: 'hcomp', type: 'int', min: 0, max: 1, optional: true },
      ]);
      const cid = v.cid as number;
      const pdp = ctx.module.services.pdp;
      if (v.type === undefined) {
        if (raw.length > 1) throw cme(TelitCme.notSupported);
        service(() => pdp.undefine(cid));
        return;
      }
      const type = (v.type as string).toUpperCase() as PdpType;
      if (!PDP_TYPES.includes(type)) throw cme(TelitCme.notSupported);
      service(() => pdp.define(cid, type, (v.apn as string | undefined) ?? ''));
    },
    read(ctx) {
      const pdp = ctx.module.services.pdp;
      const trailer = ctx.module.model.cgdcontTrailer;
      for (const d of pdp.definitionsList()) {
        const c = pdp.context(d.cid);
        ctx.info(`+CGDCONT: ${d.cid},${q(c?.assignedType ?? d.type)},${q(d.apn)},${q(c?.ipv4 ?? '')},${trailer}`);
      }
    },
    test(ctx) {
      ctx.info(`+CGDCONT: ${cidRange(ctx)},"IP",,,(0-1),(0-1)`);
    },
  },
  {
    name: '#SGACT',
    set(ctx, _args, raw) {
      const { cidMin, cidMax } = ctx.module.model.limits;
      const v = ctx.validate(raw, [
        { name: 'cid', type: 'int', min: cidMin, max: cidMax },
        { name: 'stat', type: 'int', min: 0, max: 1 },
        { name: 'user', type: 'string', maxLength: CREDENTIAL_MAX, optional: true },
        { name: 'password', type: 'string', maxLength: CREDENTIAL_MAX, optional: true },
      ]);
      const cid = v.cid as number;
      const pdp = ctx.module.services.pdp;
      if (v.stat === 0) {
        if (!pdp.definition(cid)) throw cme(TelitCme.contextNotOpened);
        service(() => pdp.deactivate(cid));
        return;
      }
      if (pdp.isActive(cid)) throw cme(TelitCme.contextAlreadyActive);
      service(() => pdp.checkActivation(cid));
      if (v.user !== undefined || v.password !== undefined) {
        service(() => pdp.setAuth(cid, 1, (v.user as string | undefined) ?? '', (v.password as string | undefined) ?? ''));
      }
      const c = service(() => pdp.activate(cid));
      ctx.info(`#SGACT: ${c.ipv4 ?? c.ipv6 ?? ''}`);
    },
    read(ctx) {
      const pdp = ctx.module.services.pdp;
      for (const d of pdp.definitionsList()) ctx.info(`#SGACT: ${d.cid},${pdp.isActive(d.cid) ? 1 : 0}`);
    },
    test(ctx) {
      ctx.info(`#SGACT: ${cidRange(ctx)},(0-1)`);
    },
  },
]);
