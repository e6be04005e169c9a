import { formatRange, type ParamSpec } from '@modemlab/at';
import { defineCommands, type CommandDef } from '../../engine/registry.js';
import type { Functionality } from '../../services/network/operator.js';

/** What the vendors' +CFUN differ by. */
export interface CfunOptions {
  /** <fun> values the product takes. */
  values: readonly number[];
  /** <fun> values that reset the module (u-blox 15 and 16); none on products without them. */
  resetValues: readonly number[];
  /** Largest <rst>: 1 where `<rst>`=1 resets the module with any <fun>, 0 where only 0 is taken. */
  maxRst: number;
  /** The read form prints `,<stk_mode>` (u-blox: `+CFUN: 1,0`) or the level alone (BC66: `+CFUN: 1`). */
  readsStkMode: boolean;
}

/** +CFUN: functionality level (radio on/off), and on products that have it a reset after the OK. */
export function cfunCommand(o: CfunOptions): CommandDef {
  const fun: ParamSpec = { name: 'fun', type: 'int', values: [...o.values] };
  const rst: ParamSpec = { name: 'rst', type: 'int', ...(o.maxRst === 0 ? { values: [0] } : { min: 0, max: o.maxRst }), optional: true, default: 0 };
  const params = [fun, rst];
  const [def] = defineCommands(import.meta.url, [
    {
      name: '+CFUN',
      params,
      set(ctx, { fun, rst }) {
        if (o.resetValues.includes(fun as number) || rst === 1) {
          ctx.afterResult(() => ctx.module.reboot());
          return;
        }
        ctx.module.services.network.setFunctionality(fun as Functionality);
      },
      read(ctx) {
        const fun = ctx.module.services.network.functionality;
        ctx.info(o.readsStkMode ? `+CFUN: ${fun},0` : `+CFUN: ${fun}`);
      },
      test(ctx) {
        ctx.info(`+CFUN: ${formatRange(fun)},${formatRange(rst)}`);
      },
    },
  ]);
  return def!;
}
