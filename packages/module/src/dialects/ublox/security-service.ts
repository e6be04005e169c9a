import { defineCommands } from '../../engine/registry.js';
import { securityCall } from './security-errors.js';

/** The serial sealed with the profile: at most 16 characters on SARA-R4/R5 (notes §1.2). */
const SERIAL_MAX = 16;
/** Real DeviceProfileUIDs have 22 characters; the seed's example spells the placeholder "DeviceProfileUID". */
const PROFILE_UID_MAX = 64;

/**
 * Sealing, bootstrap status and the security heartbeat (seed 001 §4.1-4.4). The exchanges
 * with the service happen in services/security; +USECDEVINFO? answers once an exchange in
 * progress is over (the SARA-R4 behaviour the seed describes, on every product here).
 * For the product's startupBusyMs after power-on the set, read and action forms answer
 * "+CME ERROR: SEC busy" and change nothing (notes §1.1); the test forms always answer.
 */
export const securityServiceCommands = defineCommands(import.meta.url, [
  {
    name: '+USECDEVINFO',
    params: [
      { name: 'profileUid', type: 'string', minLength: 1, maxLength: PROFILE_UID_MAX },
      { name: 'serial', type: 'string', minLength: 1, maxLength: SERIAL_MAX },
    ],
    async set(ctx, { profileUid, serial }) {
      await securityCall(() => ctx.module.services.securityService.assertStarted());
      // Once only: a later call is ignored and still answers OK (seed 001 §4.1).
      await securityCall(() => ctx.module.services.securityService.requestSeal(profileUid as string, serial as string));
    },
    async read(ctx) {
      await securityCall(() => ctx.module.services.securityService.assertStarted());
      await ctx.module.services.securityService.settled();
      const r = ctx.module.services.security.record;
      const registered = r.bootstrapped ? 1 : 0;
      ctx.info(`+USECDEVINFO: ${registered},${r.sealed ? 1 : 0},${registered}`);
    },
    // The parameter names as the seed prints the set form (§4.1), u-blox test-form style.
    test(ctx) {
      ctx.info('+USECDEVINFO: "DeviceProfileUID","serial"');
    },
  },
  {
    name: '+USECCONN',
    async action(ctx) {
      await securityCall(() => ctx.module.services.securityService.assertStarted());
      await securityCall(() => ctx.module.services.securityService.heartbeat());
    },
    // No parameters: the test form answers OK and sends no heartbeat.
    test() {},
  },
]);
