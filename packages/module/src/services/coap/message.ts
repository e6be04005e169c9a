/** A CoAP message, the same on every transport (RFC 7252 §3; RFC 8323 drops type and ID). */
export type CoapType = 'CON' | 'NON' | 'ACK' | 'RST';

export interface CoapOption {
  number: number;
  value: Buffer;
}

export interface CoapMessage {
  type: CoapType;
  /** class*32 + detail: 1 GET, 69 = 2.05 Content, 132 = 4.04 Not Found. */
  code: number;
  messageId: number;
  token: Buffer;
  options: CoapOption[];
  payload: Buffer;
}

/** Option numbers used by the client (RFC 7252 §5.10, RFC 7959 §2.1). */
export const Opt = {
  uriHost: 3,
  observe: 6,
  uriPort: 7,
  uriPath: 11,
  contentFormat: 12,
  maxAge: 14,
  uriQuery: 15,
  block2: 23,
  block1: 27,
  size2: 28,
  size1: 60,
} as const;

/** Signalling codes of CoAP over TCP (RFC 8323 §5). */
export const Signal = { csm: 225, ping: 226, pong: 227, release: 228, abort: 229 } as const;

export const Method = { GET: 1, POST: 2, PUT: 3, DELETE: 4 } as const;
export type CoapMethod = keyof typeof Method;

export const codeClass = (code: number): number => code >> 5;
export const codeText = (code: number): string => `${code >> 5}.${String(code & 31).padStart(2, '0')}`;
export const parseCodeText = (text: string): number => {
  const [c, d] = text.split('.').map(Number);
  return (c! << 5) | d!;
};

/** An unsigned option value in the fewest bytes (RFC 7252 §3.2 uint). */
export function uintOption(n: number): Buffer {
  if (n === 0) return Buffer.alloc(0);
  const bytes: number[] = [];
  for (let v = n; v > 0; v = Math.floor(v / 256)) bytes.unshift(v & 0xff);
  return Buffer.from(bytes);
}

export function readUint(value: Buffer): number {
  let n = 0;
  for (const b of value) n = n * 256 + b;
  return n;
}

export const optionsOf = (m: CoapMessage, number: number): Buffer[] => m.options.filter((o) => o.number === number).map((o) => o.value);
export const optionOf = (m: CoapMessage, number: number): Buffer | undefined => m.options.find((o) => o.number === number)?.value;
