import { CME_27007_TEXT } from '../shared/cme.js';

/**
 * Telit +CME ERROR numbers and their +CMEE=2 texts: the 3GPP 27.007 §9.2 values Telit
 * modules use, and the SSL block's 830-840 (seed 003 §6).
 */
export const TELIT_CME_TEXT: Record<number, string> = {
  ...CME_27007_TEXT,
  1: 'No connection to phone',
  31: 'network time-out',
  32: 'network not allowed - emergency calls only',
  103: 'Illegal MS',
  106: 'Illegal ME',
  132: 'service option not supported',
  133: 'requested service option not subscribed',
  134: 'service option temporarily out of order',
  148: 'unspecified GPRS error',
  150: 'invalid mobile class',
  550: 'generic undocumented error',
  551: 'wrong state',
  552: 'wrong mode',
  553: 'context already activated',
  554: 'stack already active',
  555: 'activation failed',
  556: 'context not opened',
  557: 'cannot setup socket',
  558: 'cannot resolve DN',
  559: 'time-out in opening socket',
  560: 'cannot open socket',
  561: 'remote disconnected or time-out',
  562: 'connection failed',
  563: 'tx error',
  564: 'already listening',
  830: 'SSL generic error',
  831: 'SSL cannot activate',
  832: 'SSL socket error',
  833: 'SSL not connected',
  834: 'SSL already connected',
  835: 'SSL already activated',
  836: 'SSL not activated',
  837: 'SSL certs and keys wrong or not stored',
  838: 'SSL error enc/dec data',
  839: 'SSL error during handshake',
  840: 'SSL disconnected',
  // FTP (#FTP*): the Telit AT reference's 600-612.
  600: 'generic undocumented error',
  601: 'wrong state',
  602: 'can not activate',
  603: 'can not resolve name',
  604: 'can not allocate control socket',
  605: 'can not connect control socket',
  606: 'bad or no response from server',
  607: 'not connected',
  608: 'already connected',
  609: 'context down',
  610: 'no photo available',
  611: 'can not send photo',
  612: 'resource used by other instance',
};

export const TelitCme = {
  notAllowed: 3,
  notSupported: 4,
  simNotInserted: 10,
  noNetworkService: 30,
  unknown: 100,
  gprsUnspecified: 148,
  generic: 550,
  contextAlreadyActive: 553,
  activationFailed: 555,
  contextNotOpened: 556,
  cannotResolve: 558,
  sslGeneric: 830,
  sslCannotActivate: 831,
  sslSocketError: 832,
  sslNotConnected: 833,
  sslAlreadyConnected: 834,
  sslAlreadyActivated: 835,
  sslNotActivated: 836,
  sslCertificates: 837,
  sslEncDec: 838,
  sslHandshake: 839,
  sslDisconnected: 840,
} as const;

/** FTP (#FTP*) errors of the Telit AT reference. */
export const TelitFtpCme = {
  generic: 600,
  wrongState: 601,
  cannotActivate: 602,
  cannotResolve: 603,
  cannotAllocateControl: 604,
  cannotConnectControl: 605,
  badResponse: 606,
  notConnected: 607,
  alreadyConnected: 608,
  contextDown: 609,
  resourceInUse: 612,
} as const;

export function telitErrorText(code: number): string {
  return TELIT_CME_TEXT[code] ?? 'unknown';
}
