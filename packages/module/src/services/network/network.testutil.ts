import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ManualClock } from '@modemlab/at';
import { NvmStore } from '../../nvm/store.js';
import { AddressPool } from './address-pool.js';
import { InternalContexts, type InternalContextRules } from './internal-contexts.js';
import { NetworkOperator } from './operator.js';
import { resolveNetworkOptions, type NetworkOptions } from './options.js';
import { PdpContexts, type ContextEvent } from './pdp.js';

/**
 * Operator, PDP contexts and internal profiles of a SARA-R5-like module, on a manual clock.
 * Its operator serves any APN unless `opts.apns` says otherwise (the APN table has its own tests).
 */
export function networkStack(opts: NetworkOptions = {}, rules: Partial<InternalContextRules> = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'modemlab-net-'));
  const clock = new ManualClock();
  const nvm = new NvmStore(dir);
  const options = resolveNetworkOptions({ apns: ['*'], ...opts });
  const operator = new NetworkOperator(clock, nvm, options);
  const pdp = new PdpContexts(nvm, operator, new AddressPool(options.addressPool, options.ipv6Prefix), options, { cidMin: 0, cidMax: 11, maxActiveContexts: 3 }, 'IP');
  const internal = new InternalContexts(nvm, pdp, { profiles: 7, typeMustMatch: true, defaults: { ipType: 'ipv4v6-prefer-v4', cid: 1 }, ...rules });
  const events: ContextEvent[] = [];
  pdp.on('context', (e) => events.push(e));
  const powerOn = () => {
    pdp.powerOn();
    internal.powerOn();
    operator.powerOn();
  };
  return { dir, clock, nvm, operator, pdp, internal, events, powerOn };
}
