import { q } from '@modemlab/at';
import { plainError } from '../../engine/failure.js';
import { defineCommands } from '../../engine/registry.js';
import { identityCommands as sharedIdentityCommands } from '../shared/identity.js';
import { service } from './service-errors.js';

const GREETING_MAX = 49;

/** Who the module is: manufacturer, model, firmware, serial numbers, greeting text. */
export const identityCommands = [
  ...sharedIdentityCommands({ revisionPrefix: '', service }),
  ...defineCommands(import.meta.url, [
    {
      name: 'I',
      basic(ctx, value) {
        const id = ctx.module.model.identity;
        const running = ctx.module.services.firmware.version;
        if (value === undefined || value === 0) {
          for (const l of id.atiLines) ctx.info(l.replace('{imei}', ctx.module.services.identity.imei).replace(/^Revision: .*/, `Revision: ${running.revision}`));
        } else if (value === 9) ctx.info(running.appVersion);
        else throw plainError();
      },
    },
    {
      name: '+CGSN',
      params: [{ name: 'snt', type: 'int', min: 0, max: 3, optional: true, default: 0 }],
      action(ctx) {
        ctx.info(ctx.module.services.identity.imei);
      },
      set(ctx, { snt }) {
        const imei = ctx.module.services.identity.imei;
        const svn = ctx.module.model.identity.svn;
        if (snt === 0) ctx.info(imei);
        else if (snt === 1) ctx.info(`+CGSN: ${q(imei)}`);
        else if (snt === 2) ctx.info(`+CGSN: ${q(imei.slice(0, 14) + svn)}`);
        else ctx.info(`+CGSN: ${q(svn)}`);
      },
      test(ctx) {
        ctx.info('+CGSN: (0-3)');
      },
    },
    {
      name: '+CCID',
      action(ctx) {
        ctx.info(`+CCID: ${service(() => ctx.module.services.identity.iccid)}`);
      },
      read(ctx) {
        ctx.info(`+CCID: ${service(() => ctx.module.services.identity.iccid)}`);
      },
    },
    {
      name: '+CSGT',
      params: [
        { name: 'mode', type: 'int', min: 0, max: 1 },
        { name: 'text', type: 'string', maxLength: GREETING_MAX, optional: true },
      ],
      set(ctx, { mode, text }) {
        const device = ctx.module.services.device;
        device.setGreeting({ enabled: mode === 1, text: (text as string | undefined) ?? device.greeting.text });
      },
      read(ctx) {
        const g = ctx.module.services.device.greeting;
        ctx.info(`+CSGT: ${q(g.text)},${g.enabled ? 1 : 0}`);
      },
      test(ctx) {
        ctx.info(`+CSGT: (0-1),${GREETING_MAX}`);
      },
    },
  ]),
];
