import { plainError } from '../../engine/failure.js';
import { defineCommands } from '../../engine/registry.js';

const BAUD_RATES = [0, 9600, 19200, 38400, 57600, 115200, 230400, 460800, 921600];

/**
 * V.250 basics: echo, result-code format and verbosity, profiles, flow control, rate.
 * Only AT&W persists the AT profile; ATZ reloads it.
 */
export const basicCommands = defineCommands(import.meta.url, [
  {
    name: 'E',
    basic(ctx, value) {
      if (value !== undefined && value > 1) throw plainError();
      ctx.session.echo = value === 1;
    },
  },
  {
    name: 'V',
    basic(ctx, value) {
      if (value !== undefined && value > 1) throw plainError();
      ctx.session.verbose = value === 1;
    },
  },
  {
    name: 'Q',
    basic(ctx, value) {
      if (value !== undefined && value > 1) throw plainError();
      ctx.session.quiet = value === 1;
    },
  },
  {
    name: '&W',
    basic(ctx, value) {
      if (value !== undefined && value > 1) throw plainError();
      const s = ctx.session;
      ctx.module.nvm.write('at-profile', { echo: s.echo, verbose: s.verbose, cmee: s.cmee, ipr: ctx.module.services.settings.ipr });
    },
  },
  {
    name: 'Z',
    basic(ctx, value) {
      if (value !== undefined && value > 1) throw plainError();
      ctx.session.reset();
      const p = ctx.module.nvm.read<{ echo?: boolean; verbose?: boolean; cmee?: 0 | 1 | 2 } | null>('at-profile', null);
      if (p) {
        ctx.session.echo = p.echo ?? ctx.session.echo;
        ctx.session.verbose = p.verbose ?? ctx.session.verbose;
        ctx.session.cmee = p.cmee ?? ctx.session.cmee;
      }
    },
  },
  {
    name: '&F',
    basic(ctx, value) {
      if (value !== undefined && value !== 0) throw plainError();
      ctx.session.reset();
    },
  },
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
    basic(ctx) {
      const s = ctx.session;
      const set = ctx.module.services.settings;
      const pad = (n: number) => String(n).padStart(3, '0');
      ctx.info('ACTIVE PROFILE:');
      ctx.info(
        `&C${set.dcd}, &D${set.dtr}, &K${set.flowControl}, E${s.echo ? 1 : 0}, Q${s.quiet ? 1 : 0}, V${s.verbose ? 1 : 0}, ` +
          `S2:043, S3:${pad(s.sreg(3))}, S4:${pad(s.sreg(4))}, S5:${pad(s.sreg(5))}, S12:${pad(s.sreg(12))}, +IPR:${set.ipr}, +CMEE:${s.cmee}`,
      );
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
  {
    name: '+IPR',
    params: [{ name: 'rate', type: 'int', values: BAUD_RATES }],
    set(ctx, { rate }) {
      ctx.module.services.settings.ipr = rate as number;
    },
    read(ctx) {
      ctx.info(`+IPR: ${ctx.module.services.settings.ipr}`);
    },
    test(ctx) {
      ctx.info(`+IPR: (${BAUD_RATES.join(',')}),()`);
    },
  },
  {
    name: '+UDCONF',
    params: [
      { name: 'op', type: 'int', values: [1] },
      { name: 'value', type: 'int', min: 0, max: 1, optional: true },
    ],
    set(ctx, { op, value }) {
      if (value === undefined) {
        ctx.info(`+UDCONF: ${op},${ctx.module.services.settings.hexMode ? 1 : 0}`);
        return;
      }
      ctx.module.services.settings.hexMode = value === 1;
    },
  },
]);

