import { q } from '@modemlab/at';
import { cme } from '../../engine/failure.js';
import { defineCommands } from '../../engine/registry.js';
import type { PdpType } from '../../services/network/pdp.js';
import { QuectelCme } from './errors.js';
import { service } from './service-errors.js';

/** The BC66 default bearer: the context NB-IoT attach activates (cid 1). */
const DEFAULT_CID = 1;

/** <PDP_type> as the BC66 spells it, and the service's name for each. */
const TYPES: Readonly<Record<string, PdpType>> = { IP: 'IP', IPV6: 'IPV6', IPV4V6: 'IPV4V6', 'NON-IP': 'NONIP' };
const SPELLING: Readonly<Record<PdpType, string>> = { IP: 'IP', IPV6: 'IPV6', IPV4V6: 'IPV4V6', NONIP: 'Non-IP' };

/**
 * +QCGDEFCONT=<PDP_type>[,<APN>[,<username>,<password>]]: the PDN settings NB-IoT attach
 * uses for the default bearer (the BC66's form of +CGDCONT for cid 1, which it does not
 * have). The seeds are silent; we follow Quectel's BC66 AT manual: set while the bearer is
 * down (radio off, +CFUN=0) — while it is up the answer is "operation not allowed" and
 * nothing changes; the next attach (+CFUN=1) activates it with the new APN. PAP when a user
 * name is given.
 */
export const defaultContextCommands = defineCommands(import.meta.url, [
  {
    name: '+QCGDEFCONT',
    params: [
      { name: 'type', type: 'string' },
      { name: 'apn', type: 'string', optional: true },
      { name: 'username', type: 'string', optional: true },
      { name: 'password', type: 'string', optional: true },
    ],
    set(ctx, args) {
      const type = TYPES[(args.type as string).toUpperCase()];
      if (!type) throw cme(QuectelCme.badParameter, `PDP type ${String(args.type)}`);
      const username = args.username as string | undefined;
      const password = args.password as string | undefined;
      if ((username === undefined) !== (password === undefined)) throw cme(QuectelCme.badParameter, 'user name and password go together');
      const pdp = ctx.module.services.pdp;
      // Checked before anything changes: a refused command leaves the definition as it was.
      if (pdp.isActive(DEFAULT_CID)) throw cme(QuectelCme.notAllowed, 'the default bearer is active');
      // One NVM write: a crash between the APN and its credentials would leave them mixed.
      const credentials = username === undefined ? undefined : { auth: username === '' ? (0 as const) : (1 as const), username, password: password ?? '' };
      service(() => pdp.define(DEFAULT_CID, type, (args.apn as string | undefined) ?? '', credentials));
    },
    read(ctx) {
      const d = ctx.module.services.pdp.definition(DEFAULT_CID);
      if (!d) return ctx.info(`+QCGDEFCONT: "IP"`);
      const auth = d.username ? `,${q(d.username)},${q(d.password ?? '')}` : '';
      ctx.info(`+QCGDEFCONT: ${q(SPELLING[d.type])},${q(d.apn)}${auth}`);
    },
    test(ctx) {
      ctx.info('+QCGDEFCONT: ("IP","IPV6","IPV4V6","Non-IP"),,,');
    },
  },
]);
