import { q } from '@modemlab/at';
import { cme } from '../../engine/failure.js';
import { defineCommands } from '../../engine/registry.js';
import { isIpv4Literal } from '../shared/ip-literal.js';
import { UbloxCme } from './errors.js';
import { serviceAsync } from './service-errors.js';

const HOST_MAX = 255;

/** Name resolution and ping from the module's IP stack. */
export const dnsPingCommands = defineCommands(import.meta.url, [
  {
    name: '+UDNSRN',
    params: [
      { name: 'type', type: 'int', min: 0, max: 1 },
      { name: 'domain', type: 'string', minLength: 1, maxLength: HOST_MAX },
    ],
    async set(ctx, { type, domain }) {
      const dns = ctx.module.services.dns;
      const name = domain as string;
      if (type === 0) {
        ctx.info(`+UDNSRN: ${q(await serviceAsync(() => dns.resolve(name)))}`);
        return;
      }
      if (!isIpv4Literal(name)) throw cme(UbloxCme.badParameter);
      ctx.info(`+UDNSRN: ${q(await serviceAsync(() => dns.reverse(name)))}`);
    },
    test(ctx) {
      ctx.info(`+UDNSRN: (0-1),${HOST_MAX}`);
    },
  },
  {
    name: '+UPING',
    params: [
      { name: 'host', type: 'string', minLength: 1, maxLength: HOST_MAX },
      { name: 'count', type: 'int', min: 1, max: 64, optional: true, default: 4 },
      { name: 'size', type: 'int', min: 4, max: 1460, optional: true, default: 32 },
      { name: 'timeout', type: 'int', min: 10, max: 60000, optional: true, default: 5000 },
      { name: 'ttl', type: 'int', min: 1, max: 255, optional: true, default: 32 },
      { name: 'inprogress', type: 'int', min: 0, max: 1, optional: true, default: 0 },
    ],
    // OK at once; every echo (or the failure) follows as +UUPING / +UUPINGER to this terminal (urcs.ts).
    set(ctx, { host, count, size, timeout, ttl }) {
      ctx.module.services.ping.start({
        host: host as string,
        count: count as number,
        size: size as number,
        timeoutMs: timeout as number,
        ttl: ttl as number,
        owner: ctx.session,
      });
    },
    test(ctx) {
      ctx.info(`+UPING: ${HOST_MAX},(1-64),(4-1460),(10-60000),(1-255),(0-1)`);
    },
  },
]);
