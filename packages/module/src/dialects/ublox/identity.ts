import { defineCommands } from '../../engine/registry.js';

/** Who the module is: manufacturer, model, firmware, serial numbers. */
export const identityCommands = defineCommands(import.meta.url, [
  {
    name: '+CGMI',
    action(ctx) {
      ctx.info(ctx.module.model.identity.manufacturer);
    },
  },
  {
    name: '+CGMM',
    action(ctx) {
      ctx.info(ctx.module.model.identity.model);
    },
  },
  {
    name: '+CGMR',
    action(ctx) {
      ctx.info(ctx.module.model.identity.revision);
    },
  },
  {
    name: 'I',
    basic(ctx, value) {
      const id = ctx.module.model.identity;
      if (value === undefined || value === 0) for (const l of id.atiLines) ctx.info(l);
      else if (value === 9) ctx.info(id.appVersion);
      else throw new Error('unreachable');
    },
  },
]);
