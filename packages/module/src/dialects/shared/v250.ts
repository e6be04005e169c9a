import { plainError } from '../../engine/failure.js';
import { defineCommands, type CommandDef } from '../../engine/registry.js';

/** The AT profile AT&W stores and ATZ reloads. */
interface AtProfile {
  echo?: boolean;
  verbose?: boolean;
  cmee?: 0 | 1 | 2;
}

/** The vendor differences of ATZ: which profile numbers it takes, whether it reloads the AT&W profile. */
export interface ResetOptions {
  maxProfile: number;
  restoresProfile: boolean;
}

/** ATZ: back to the power-on settings, then (where the product has AT&W) the stored profile. */
export function resetCommand({ maxProfile, restoresProfile }: ResetOptions): CommandDef {
  const [def] = defineCommands(import.meta.url, [
    {
      name: 'Z',
      basic(ctx, value) {
        if (value !== undefined && value > maxProfile) throw plainError();
        ctx.session.reset();
        if (!restoresProfile) return;
        const p = ctx.module.nvm.read<AtProfile | null>('at-profile', null);
        if (p) {
          ctx.session.echo = p.echo ?? ctx.session.echo;
          ctx.session.verbose = p.verbose ?? ctx.session.verbose;
          ctx.session.cmee = p.cmee ?? ctx.session.cmee;
        }
      },
    },
  ]);
  return def!;
}

/** ATE, ATV, ATQ: a 0/1 switch of this terminal's session (no digit is 0). */
function sessionFlag(name: string, flag: 'echo' | 'verbose' | 'quiet'): CommandDef {
  return {
    name,
    basic(ctx, value) {
      if (value !== undefined && value > 1) throw plainError();
      ctx.session[flag] = value === 1;
    },
  };
}

/**
 * V.250 basics every vendor answers alike: echo, result-code format and verbosity, factory
 * settings, +CMEE. Each one validates its digit and changes this terminal's session.
 */
export const [echoCommand, verboseCommand, quietCommand, factoryCommand, cmeeCommand] = defineCommands(import.meta.url, [
  sessionFlag('E', 'echo'),
  sessionFlag('V', 'verbose'),
  sessionFlag('Q', 'quiet'),
  {
    name: '&F',
    basic(ctx, value) {
      if (value !== undefined && value !== 0) throw plainError();
      ctx.session.reset();
    },
  },
  {
    name: '+CMEE',
    params: [{ name: 'n', type: 'int', min: 0, max: 2, optional: true, default: 0 }],
    set(ctx, { n }) {
      ctx.session.cmee = n as 0 | 1 | 2;
    },
    read(ctx) {
      ctx.info(`+CMEE: ${ctx.session.cmee}`);
    },
    test(ctx) {
      ctx.info('+CMEE: (0-2)');
    },
  },
]) as [CommandDef, CommandDef, CommandDef, CommandDef, CommandDef];

/** +IFC <DCE_by_DTE>,<DTE_by_DCE> equivalent of each &K value: 0 none, 3 RTS/CTS, 4 XON/XOFF. */
const IFC_BY_K: Record<number, string> = { 0: '0,0', 3: '2,2', 4: '1,1' };

/**
 * The full V.250 set of u-blox and Telit modules: the basics above, AT&W/ATZ with a stored
 * profile, flow control, DCD/DTR behaviour, AT&V and +IPR. Only AT&W persists the AT
 * profile; ATZ reloads it.
 */
export const v250Commands: CommandDef[] = [
  echoCommand,
  verboseCommand,
  quietCommand,
  ...defineCommands(import.meta.url, [
    {
      name: '&W',
      basic(ctx, value) {
        if (value !== undefined && value > 1) throw plainError();
        const s = ctx.session;
        ctx.module.nvm.write('at-profile', { echo: s.echo, verbose: s.verbose, cmee: s.cmee, ipr: ctx.module.services.settings.ipr });
      },
    },
  ]),
  resetCommand({ maxProfile: 1, restoresProfile: true }),
  factoryCommand,
  ...defineCommands(import.meta.url, [
    {
      name: '&K',
      basic(ctx, value) {
        if (value !== undefined && ![0, 3, 4].includes(value)) throw plainError();
        ctx.module.services.settings.flowControl = value ?? 0;
      },
    },
    {
      name: '&C',
      basic(ctx, value) {
        if (value !== undefined && value > 1) throw plainError();
        ctx.module.services.settings.dcd = value ?? 0;
      },
    },
    {
      name: '&D',
      basic(ctx, value) {
        if (value !== undefined && value > 4) throw plainError();
        ctx.module.services.settings.dtr = value ?? 0;
      },
    },
    {
      name: '&V',
      // The layout u-blox's host library parses (ubxlib u_cell_cfg.c): "ACTIVE PROFILE:" on
      // a line of its own, the &/S settings on the next, then the serial-port line with
      // +ICF (always 8N1 here), +IFC (from &K) and +IPR. Each setting ends with a comma.
      basic(ctx) {
        const s = ctx.session;
        const set = ctx.module.services.settings;
        const pad = (n: number) => String(n).padStart(3, '0');
        ctx.info('ACTIVE PROFILE:');
        ctx.info(
          `&C${set.dcd}, &D${set.dtr}, &K${set.flowControl}, &S1, E${s.echo ? 1 : 0}, Q${s.quiet ? 1 : 0}, V${s.verbose ? 1 : 0}, ` +
            `S2:043, S3:${pad(s.sreg(3))}, S4:${pad(s.sreg(4))}, S5:${pad(s.sreg(5))}, S12:${pad(s.sreg(12))},`,
        );
        ctx.info(`+ICF:3,1, +IFC:${IFC_BY_K[set.flowControl] ?? '0,0'}, +IPR:${set.ipr}, +CMEE:${s.cmee},`);
      },
    },
  ]),
  cmeeCommand,
  ...defineCommands(import.meta.url, [
    {
      name: '+IPR',
      params: [{ name: 'rate', type: 'int', min: 0 }],
      // The product's rates (models: limits.baudRates). As the manuals say, the OK still
      // goes at the old rate; the new one applies from the next byte (a paced line reads it
      // when bytes are queued).
      set(ctx, _args, raw) {
        const { rate } = ctx.validate(raw, [{ name: 'rate', type: 'int', values: [...ctx.module.model.limits.baudRates] }]);
        ctx.afterOutput(() => (ctx.module.services.settings.ipr = rate as number));
      },
      read(ctx) {
        ctx.info(`+IPR: ${ctx.module.services.settings.ipr}`);
      },
      test(ctx) {
        ctx.info(`+IPR: (${ctx.module.model.limits.baudRates.join(',')}),()`);
      },
    },
  ]),
];
