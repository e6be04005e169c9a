import { q } from '@modemlab/at';
import { cme } from '../../engine/failure.js';
import { defineCommands } from '../../engine/registry.js';
import { cclkCommand } from '../shared/clock.js';
import { UbloxCme } from './errors.js';

/** GNSS output bit of +UGPRF that sends the data to an IP server. */
const GNSS_TO_IP = 16;
/** Device settings: clock, GNSS data routing, the embedded LwM2M client. */
export const deviceCommands = defineCommands(import.meta.url, [
  cclkCommand({ badTime: UbloxCme.badParameter }),
  {
    name: '+UGPRF',
    params: [
      { name: 'outputs', type: 'int', min: 0, max: 127 },
      { name: 'port', type: 'int', min: 0, max: 65535, optional: true, default: 0 },
      { name: 'server', type: 'string', maxLength: 255, optional: true, default: '' },
    ],
    set(ctx, { outputs, port, server }) {
      if ((outputs as number) & GNSS_TO_IP && !server) throw cme(UbloxCme.badParameter);
      ctx.module.services.device.setGnss({ outputs: outputs as number, port: port as number, server: server as string });
    },
    read(ctx) {
      const g = ctx.module.services.device.gnss;
      ctx.info(`+UGPRF: ${g.outputs},${g.port},${q(g.server)}`);
    },
    test(ctx) {
      ctx.info('+UGPRF: (0-127),(0-65535),255');
    },
  },
  {
    name: '+ULWM2M',
    // 0 enables the client, 1 disables it.
    params: [{ name: 'disabled', type: 'int', min: 0, max: 1 }],
    set(ctx, { disabled }) {
      ctx.module.services.device.setLwm2m(disabled === 0);
    },
    read(ctx) {
      ctx.info(`+ULWM2M: ${ctx.module.services.device.lwm2mEnabled ? 0 : 1}`);
    },
    test(ctx) {
      ctx.info('+ULWM2M: (0,1)');
    },
  },
]);
