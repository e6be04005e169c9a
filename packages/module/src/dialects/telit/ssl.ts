import { cme } from '../../engine/failure.js';
import { defineCommands } from '../../engine/registry.js';
import { TelitCme } from './errors.js';
import { sslChannel } from './ssl-state.js';

const SSID = { name: 'SSId', type: 'int', values: [1] } as const;

/** #SSLEN, #SSLSECCFG, #SSLSECDATA, #SSLCFG, #SSLD, #SSLO, #SSLSEND(EXT), #SSLRECV, #SSLH, #SSLFASTD, #SSLS (seed 003). */
export const sslCommands = defineCommands(import.meta.url, [
  {
    name: '#SSLEN',
    params: [SSID, { name: 'enable', type: 'int', min: 0, max: 1 }],
    set(ctx, { enable }) {
      const ch = sslChannel(ctx.module);
      if (enable === 1) {
        if (ch.owner) throw cme(TelitCme.sslAlreadyActivated);
        ch.owner = ctx.session;
        return;
      }
      if (ch.owner !== ctx.session) throw cme(TelitCme.sslNotActivated);
      ch.owner = undefined;
    },
    read(ctx) {
      ctx.info(`#SSLEN: 1,${sslChannel(ctx.module).owner === ctx.session ? 1 : 0}`);
    },
    test(ctx) {
      ctx.info('#SSLEN: (1),(0,1)');
    },
  },
]);
