import type { CoapError } from '../../services/coap/coap-service.js';

/**
 * +UCOAPER <error_class>,<error_code>. The manuals' CoAP error table was not found (notes §D);
 * modemlab's own numbering, recorded in docs/architecture.md: class 0 no error, class 1 the
 * configuration, class 2 the network or the transport, class 3 the server's reply (the code is
 * the CoAP response code as class*100+detail, 404 for 4.04).
 */
export const COAP_ERROR_CLASS = { none: 0, config: 1, network: 2, server: 3 } as const;

const CONFIG_CODE = { 'not-valid': 1, 'no-uri': 2, 'bad-uri': 3, payload: 4, profile: 5, 'no-observation': 6 } as const;

/** 9: the resource is not observable, or the server ended the observation (a 2.xx without Observe). */
const NETWORK_CODE = { dns: 1, 'no-data-path': 2, connect: 3, security: 4, timeout: 5, reset: 6, closed: 7, protocol: 8, observe: 9 } as const;

/** A CoAP code as u-blox prints it: 2.05 -> 205. */
export const coapCodeNumber = (code: number): number => (code >> 5) * 100 + (code & 31);

export function coapErrorPair(error: CoapError | undefined): [number, number] {
  if (!error) return [COAP_ERROR_CLASS.none, 0];
  if (error.kind === 'config') return [COAP_ERROR_CLASS.config, CONFIG_CODE[error.reason ?? 'not-valid']];
  if (error.kind === 'server') return [COAP_ERROR_CLASS.server, coapCodeNumber(error.code ?? 0)];
  return [COAP_ERROR_CLASS.network, NETWORK_CODE[error.kind]];
}
