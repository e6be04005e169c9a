import { defineCommands } from '../../engine/registry.js';
import { v250Commands } from '../shared/v250.js';

/**
 * V.250 basics (shared with Telit: echo, result-code format and verbosity, profiles, flow
 * control, rate) and u-blox's +UDCONF.
 */
export const basicCommands = [
  ...v250Commands,
  ...defineCommands(import.meta.url, [
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
  ]),
];
