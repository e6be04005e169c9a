import { cme } from '../../engine/failure.js';
import { defineCommands } from '../../engine/registry.js';
import { UbloxCme } from './errors.js';
import { service } from './service-errors.js';

const COUNTER_MAX = 4294967295;

/** Data counters of the PDP contexts: this session's and the running totals. */
export const pdpCounterCommands = defineCommands(import.meta.url, [
  {
    name: '+UGCNTRD',
    action(ctx) {
      const pdp = ctx.module.services.pdp;
      for (const c of pdp.activeList()) {
        const n = pdp.countersOf(c.cid)!;
        ctx.info(`+UGCNTRD: ${c.cid},${n.sentSession},${n.receivedSession},${n.sentTotal},${n.receivedTotal}`);
      }
    },
  },
  {
    name: '+UGCNTSET',
    set(ctx, _args, raw) {
      const { cidMin, cidMax } = ctx.module.model.limits;
      const v = ctx.validate(raw, [
        { name: 'cid', type: 'int', min: cidMin, max: cidMax },
        { name: 'sent', type: 'int', min: 0, max: COUNTER_MAX },
        { name: 'received', type: 'int', min: 0, max: COUNTER_MAX },
      ]);
      if (!ctx.module.services.pdp.definition(v.cid as number)) throw cme(UbloxCme.unknownPdpContext);
      service(() => ctx.module.services.pdp.setTotals(v.cid as number, v.sent as number, v.received as number));
    },
    test(ctx) {
      const { cidMin, cidMax } = ctx.module.model.limits;
      ctx.info(`+UGCNTSET: (${cidMin}-${cidMax}),(0-${COUNTER_MAX}),(0-${COUNTER_MAX})`);
    },
  },
]);
