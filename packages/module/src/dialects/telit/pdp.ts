import { cme } from '../../engine/failure.js';
import { defineCommands } from '../../engine/registry.js';
import { cgdcontCommand, cgpaddrLine, cidRange } from '../shared/pdp.js';
import { TelitCme } from './errors.js';
import { service } from './service-errors.js';

const CREDENTIAL_MAX = 20;

/**
 * +CGDCONT and #SGACT (seed 003 §2.1): contexts are defined with +CGDCONT and activated
 * with #SGACT, which answers the address the network gave. The seed writes the PDP type
 * unquoted (`AT+CGDCONT=1,IP,"ibox.tim.it"`); both spellings are accepted.
 */
export const telitPdpCommands = defineCommands(import.meta.url, [
  cgdcontCommand({
    allowBare: true,
    dcompMax: 1,
    hcompMax: 1,
    extraParams: 0,
    badParameter: TelitCme.notSupported,
    service,
    addressField: (c) => c?.ipv4 ?? '',
    test(ctx) {
      ctx.info(`+CGDCONT: ${cidRange(ctx)},"IP",,,(0-1),(0-1)`);
    },
  }),
  {
    name: '#SGACT',
    set(ctx, _args, raw) {
      const { cidMin, cidMax } = ctx.module.model.limits;
      const v = ctx.validate(raw, [
        { name: 'cid', type: 'int', min: cidMin, max: cidMax },
        { name: 'stat', type: 'int', min: 0, max: 1 },
        { name: 'user', type: 'string', maxLength: CREDENTIAL_MAX, optional: true },
        { name: 'password', type: 'string', maxLength: CREDENTIAL_MAX, optional: true },
      ]);
      const cid = v.cid as number;
      const pdp = ctx.module.services.pdp;
      if (v.stat === 0) {
        if (!pdp.definition(cid)) throw cme(TelitCme.contextNotOpened);
        service(() => pdp.deactivate(cid));
        return;
      }
      if (pdp.isActive(cid)) throw cme(TelitCme.contextAlreadyActive);
      service(() => pdp.checkActivation(cid));
      if (v.user !== undefined || v.password !== undefined) {
        service(() => pdp.setAuth(cid, 1, (v.user as string | undefined) ?? '', (v.password as string | undefined) ?? ''));
      }
      const c = service(() => pdp.activate(cid));
      ctx.info(`#SGACT: ${c.ipv4 ?? c.ipv6 ?? ''}`);
    },
    read(ctx) {
      const pdp = ctx.module.services.pdp;
      for (const d of pdp.definitionsList()) ctx.info(`#SGACT: ${d.cid},${pdp.isActive(d.cid) ? 1 : 0}`);
    },
    test(ctx) {
      ctx.info(`#SGACT: ${cidRange(ctx)},(0-1)`);
    },
  },
  // +CGPADDR (3GPP 27.007 §10.1.14, in Telit's AT reference): the address of an active
  // context, how a host finds it when #SGACT was sent by an earlier run. A defined context
  // that is not active answers its cid alone; an undefined one is refused.
  {
    name: '+CGPADDR',
    params: [{ name: 'cid', type: 'int', min: 0, max: 255 }],
    set(ctx, { cid }) {
      if (!ctx.module.services.pdp.definitionsList().some((d) => d.cid === cid)) throw cme(TelitCme.notAllowed, 'undefined context');
      ctx.info(cgpaddrLine(ctx, cid as number));
    },
    action(ctx) {
      for (const d of ctx.module.services.pdp.definitionsList()) ctx.info(cgpaddrLine(ctx, d.cid));
    },
    test(ctx) {
      ctx.info(`+CGPADDR: (${ctx.module.services.pdp.definitionsList().map((d) => d.cid).join(',')})`);
    },
  },
]);
