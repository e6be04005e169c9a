import { formatRange, q, type ParamSpec } from '@modemlab/at';
import { cme } from '../../engine/failure.js';
import { defineCommands, type CommandDef } from '../../engine/registry.js';
import type { SelectionMode } from '../../services/network/operator.js';
import { currentAct } from './registration.js';
import type { ServiceCall } from './service-errors.js';

/** What the vendors' +COPS differ by. The <AcT>s a product accepts are its model's (`network.copsActs`). */
export interface CopsOptions {
  /** The vendor's +CME ERROR for a mode given without the <format>/<oper> it needs. */
  badParameter: number;
  /** Longest <oper>. */
  maxOperLength: number;
  /** The dialect's mapping of a service refusal (a manual selection of a network that is not there). */
  service: ServiceCall;
}

const MODE: ParamSpec = { name: 'mode', type: 'int', min: 0, max: 4 };
const FORMAT: ParamSpec = { name: 'format', type: 'int', min: 0, max: 2, optional: true };

/**
 * +COPS (27.007 §7.3): automatic (0), manual (1), deregister (2), set the format only (3),
 * manual then automatic (4); read `+COPS: <mode>[,<format>,"<oper>",<AcT>]`; test lists the
 * lab's network. An <AcT> the product lacks (LTE on a GSM module) is a bad parameter in the
 * vendor's own number, checked before anything changes.
 */
export function copsCommand(o: CopsOptions): CommandDef {
  const [def] = defineCommands(import.meta.url, [
    {
      name: '+COPS',
      set(ctx, _args, raw) {
        const specs: ParamSpec[] = [
          MODE,
          FORMAT,
          { name: 'oper', type: 'string', maxLength: o.maxOperLength, optional: true },
          { name: 'act', type: 'int', values: ctx.module.model.network.copsActs, optional: true },
        ];
        const { mode, format, oper } = ctx.validate(raw, specs);
        const net = ctx.module.services.network;
        if ((mode === 1 || mode === 4 || mode === 3) && format === undefined) throw cme(o.badParameter, 'format missing');
        if ((mode === 1 || mode === 4) && oper === undefined) throw cme(o.badParameter, 'operator missing');
        if (mode !== 3) o.service(() => net.select(mode as SelectionMode, oper as string | undefined));
        if (format !== undefined) net.nameFormat = format as 0 | 1 | 2;
      },
      read(ctx) {
        const net = ctx.module.services.network;
        if (!net.registered) {
          ctx.info(`+COPS: ${net.selectionMode}`);
          return;
        }
        const n = net.options;
        const name = [n.operatorName, n.shortName, n.plmn][net.nameFormat]!;
        ctx.info(`+COPS: ${net.selectionMode},${net.nameFormat},${q(name)},${currentAct(ctx.module)}`);
      },
      test(ctx) {
        const net = ctx.module.services.network;
        const n = net.options;
        const visible = net.radioOn && net.hasCoverage;
        const list = visible ? `(${net.registered ? 2 : 1},${q(n.operatorName)},${q(n.shortName)},${q(n.plmn)},${currentAct(ctx.module)})` : '';
        ctx.info(`+COPS: ${list},,${formatRange(MODE)},${formatRange(FORMAT)}`);
      },
    },
  ]);
  return def!;
}
