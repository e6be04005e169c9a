/** The CoAP client's configuration: the current one, and each profile kept in NVM. */
export interface CoapConfig {
  /** Server address and port given apart from the URI ("" / 0: take them from the URI). */
  serverHost: string;
  serverPort: number;
  /** coap://, coaps://, coap+tcp://, coaps+tcp:// (RFC 7252 §6, RFC 8323 §8). */
  uri: string;
  /** Which options the request PDU carries, and how it is sent. */
  pdu: PduFlags;
  /** Block size exponent for Block1 and Block2 (0-6: 16..1024 bytes). */
  blockSzx: number;
  /** DTLS (UDP) or TLS (TCP) through this security profile. */
  secure: boolean;
  securityProfile: number;
  /** Marked ready for use by the host. */
  valid: boolean;
}

export interface PduFlags {
  uriHost: boolean;
  uriPort: boolean;
  uriPath: boolean;
  uriQuery: boolean;
  contentFormat: boolean;
  confirmable: boolean;
  block2: boolean;
  block1: boolean;
}

export const PDU_FLAGS: readonly (keyof PduFlags)[] = ['uriHost', 'uriPort', 'uriPath', 'uriQuery', 'contentFormat', 'confirmable', 'block2', 'block1'];

export function defaultCoapConfig(): CoapConfig {
  return {
    serverHost: '',
    serverPort: 0,
    uri: '',
    pdu: { uriHost: false, uriPort: false, uriPath: true, uriQuery: true, contentFormat: false, confirmable: true, block2: false, block1: false },
    blockSzx: 6,
    secure: false,
    securityProfile: 0,
    valid: false,
  };
}

export interface CoapTarget {
  scheme: 'coap' | 'coaps' | 'coap+tcp' | 'coaps+tcp';
  host: string;
  port: number;
  path: string[];
  query: string[];
}

const DEFAULT_PORT = { coap: 5683, coaps: 5684, 'coap+tcp': 5683, 'coaps+tcp': 5684 } as const;

/** Parses a CoAP URI; undefined when it is not one. */
export function parseCoapUri(uri: string): CoapTarget | undefined {
  const m = /^(coaps?(?:\+tcp)?):\/\/(\[[^\]]+\]|[^/:?#]+)(?::(\d{1,5}))?(\/[^?#]*)?(?:\?([^#]*))?$/i.exec(uri);
  if (!m) return undefined;
  const scheme = m[1]!.toLowerCase() as CoapTarget['scheme'];
  const port = m[3] ? Number(m[3]) : DEFAULT_PORT[scheme];
  if (port < 1 || port > 65535) return undefined;
  const decode = (s: string) => {
    try {
      return decodeURIComponent(s);
    } catch {
      return undefined;
    }
  };
  const path = (m[4] ?? '').split('/').filter((s) => s.length > 0).map(decode);
  const query = (m[5] ?? '').split('&').filter((s) => s.length > 0).map(decode);
  if (path.includes(undefined) || query.includes(undefined)) return undefined;
  return { scheme, host: m[2]!.replace(/^\[|\]$/g, ''), port, path: path as string[], query: query as string[] };
}
