/**
 * +CMUX (27.007 5.7): starts 27.010 multiplexing, basic option, UIH frames. The OK goes out
 * in clear at the old framing; the next byte the host sends is read as a frame (the link
 * push takes effect after the final result code). What the product allows comes from its
 * model's mux table; a product without one answers as if the command did not exist.
 */
import type { ParamSpec } from '@modemlab/at';
import type { TerminalSession } from '../../engine/session.js';
import { cme, plainError } from '../../engine/failure.js';
import { defineCommands, type CommandDef } from '../../engine/registry.js';
import { CmuxLayer } from '../../link/cmux-layer.js';
import type { LinkControl } from '../../link/link-stack.js';

export interface CmuxCommandOptions {
  /** The vendor's "operation not allowed" (+CMUX while multiplexing, +CMUX? before it). */
  notAllowed: number;
  /** The vendor's bad-parameter error (N1 beyond the product's maximum). */
  badParameter: number;
}

/** N1 of the mux a terminal started, for its +CMUX? (the session outlives the layer's push). */
const n1BySession = new WeakMap<TerminalSession, number>();

const isMuxed = (link: LinkControl): boolean => link.layers.includes('cmux') || link.enclosing.includes('cmux');

export function cmuxCommand({ notAllowed, badParameter }: CmuxCommandOptions): CommandDef {
  const [def] = defineCommands(import.meta.url, [
    {
      name: '+CMUX',
      params: [
        { name: 'mode', type: 'int', min: 0, max: 0 },
        { name: 'subset', type: 'int', min: 0, max: 0, optional: true },
        { name: 'port_speed', type: 'int', min: 0, max: 7, optional: true },
        { name: 'N1', type: 'int', min: 1, max: 32767, optional: true },
        { name: 'T1', type: 'int', min: 1, max: 255, optional: true },
        { name: 'N2', type: 'int', min: 0, max: 100, optional: true },
        { name: 'T2', type: 'int', min: 2, max: 255, optional: true },
        { name: 'T3', type: 'int', min: 0, max: 255, optional: true },
        { name: 'k', type: 'int', min: 0, max: 255, optional: true },
      ] satisfies readonly ParamSpec[],
      set(ctx, args) {
        const table = ctx.module.model.mux;
        if (!table) throw plainError();
        // On any channel of a running mux (DLCI 1 holds the layer, the others run inside it).
        if (isMuxed(ctx.link)) throw cme(notAllowed);
        // Not inside a chip-to-chip session: C2C goes inside a mux channel, never around a mux (ubxlib).
        if (ctx.link.layers.includes('c2c')) throw cme(notAllowed);
        const n1 = (args.N1 as number | undefined) ?? table.n1Default;
        if (n1 > table.n1Max) throw cme(badParameter);
        n1BySession.set(ctx.session, n1);
        ctx.link.push(new CmuxLayer({ maxDlci: table.maxDlci, n1 }));
      },
      read(ctx) {
        const table = ctx.module.model.mux;
        if (!table) throw plainError();
        const n1 = n1BySession.get(ctx.session);
        if (!isMuxed(ctx.link) || n1 === undefined) throw cme(notAllowed);
        ctx.info(table.readTemplate.replace('{N1}', String(n1)));
      },
      test(ctx) {
        const table = ctx.module.model.mux;
        if (!table) throw plainError();
        ctx.info(table.testResponse);
      },
    },
  ]);
  return def!;
}
