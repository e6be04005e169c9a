import { q } from '@modemlab/at';
import type { TerminalSession } from '../../engine/session.js';
import type { ModuleHost } from '../../module-host.js';
import type { ServiceFailureReason } from '../../services/errors.js';
import type { ContextEvent } from '../../services/network/pdp.js';
import { wireRegistrationUrcs } from '../shared/registration.js';
import { wireUsecprfUrcs } from './usecprf.js';
import { wireUbloxSocketUrcs } from './socket-urcs.js';
import { wireHttpUrcs } from './http.js';
import { wireMqttUrcs } from './mqtt-session.js';
import { wireMqttSnUrcs } from './mqttsn.js';
import { wireCoapUrcs } from './coap.js';
import { wireCellTimeUrcs } from './cell-time.js';
import { wireFotaUrcs } from './fota.js';
import { wireGnssUrcs } from './gnss.js';


/**
 * +UUPINGER codes (u-blox ping error table): 8 "cannot resolve host", 17 "PDP context not
 * activated / network not available"; anything else is reported as 11 (echo could not be sent).
 */
const PING_ERROR: Partial<Record<ServiceFailureReason | 'echo-failure', number>> = {
  'host-not-found': 8,
  'dns-failure': 8,
  'not-registered': 17,
  'no-data-path': 17,
};
const PING_ERROR_OTHER = 11;

/** 27.007 <reason> of +CGEV: ME PDN ACT when one family of a dual-stack request was granted. */
const GRANT_REASON = { 'ipv4-only': 0, 'ipv6-only': 1 } as const;

function cgev(e: ContextEvent): string | undefined {
  if (e.active) return `+CGEV: ME PDN ACT ${e.cid}${e.grant ? `,${GRANT_REASON[e.grant]}` : ''}`;
  if (e.cause === 'detach') return undefined;
  return `+CGEV: ${e.initiator === 'nw' ? 'NW' : 'ME'} PDN DEACT ${e.cid}`;
}

/**
 * Turns service events into u-blox URCs. Text that depends on the module's state is
 * built when the event happens (a URC queued behind a running command must not show a
 * later state); only the choice per terminal (its +CEREG mode, +CGEREP...) is left to
 * the moment each terminal writes it.
 */
export function wireUbloxUrcs(module: ModuleHost): void {
  const s = module.services;
  const forMode = (command: string, text: string | undefined, minMode = 1) => (session: TerminalSession) =>
    session.urcMode(command) >= minMode ? text : undefined;

  // +CEREG comes before the context events the same change causes.
  wireRegistrationUrcs(module, ['+CREG', '+CGREG', '+CEREG'], 5);
  wireCellTimeUrcs(module);
  wireFotaUrcs(module);
  wireGnssUrcs(module);
  s.network.on('rrc', ({ connected }) => module.urc(forMode('+CSCON', `+CSCON: ${connected ? 1 : 0}`)));

  s.pdp.on('context', (e) => module.urc(forMode('+CGEREP', cgev(e))));
  s.pdp.on('detach', ({ initiator }) => module.urc(forMode('+CGEREP', `+CGEV: ${initiator === 'nw' ? 'NW' : 'ME'} DETACH`)));

  // <result> 0: the profile is active.
  s.internalContexts.on('activated', ({ address }) => module.urc(`+UUPSDA: 0,${q(address)}`));
  s.internalContexts.on('deactivated', ({ profile }) => module.urc(`+UUPSDD: ${profile}`));

  s.ping.on('echo', (e) => {
    const text = `+UUPING: ${e.seq},${e.size},${q(e.host)},${q(e.address)},${e.ttl},${e.rttMs}`;
    module.urc((session) => (session === e.owner ? text : undefined));
  });
  s.ping.on('failure', ({ owner, reason }) => {
    const text = `+UUPINGER: ${PING_ERROR[reason] ?? PING_ERROR_OTHER}`;
    module.urc((session) => (session === owner ? text : undefined));
  });

  s.powerSaving.on('psm', ({ entered }) => module.urc(forMode('+UPSMR', `+UUPSMR: ${entered ? 1 : 0}`)));
  s.device.on('greeting', ({ text }) => module.urc(text));
  wireUsecprfUrcs(module);
  wireUbloxSocketUrcs(module);
  wireHttpUrcs(module);
  wireMqttUrcs(module);
  wireMqttSnUrcs(module);
  wireCoapUrcs(module);
}
