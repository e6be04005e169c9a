import type { RawParam } from '@modemlab/at';
import { plainError } from '../../engine/failure.js';

/** Seed 004: <contextID> 1-3 of which only 1 is supported; <connectID> 0-5. */
export const CONTEXT_ID = 1;
export const CONNECT_IDS = { min: 0, max: 5 } as const;
export const IDS_RANGE = `(${CONTEXT_ID}),(${CONNECT_IDS.min}-${CONNECT_IDS.max})`;

const INTEGER = /^\d+$/;

/** An unquoted decimal integer, or the plain ERROR the SSL commands answer. */
export function intParam(p: RawParam | undefined, min: number, max: number): number {
  if (!p || p.kind !== 'bare' || !INTEGER.test(p.text)) throw plainError('integer expected');
  const n = Number(p.text);
  if (n < min || n > max) throw plainError(`${n} out of ${min}-${max}`);
  return n;
}

export function stringParam(p: RawParam | undefined, maxLength: number): string {
  if (!p || p.kind !== 'string') throw plainError('quoted string expected');
  if (p.value.length === 0 || p.value.length > maxLength) throw plainError('string length');
  return p.value;
}

/** <contextID>,<connectID> at the head of every SSL command: another context is refused. */
export function idsParam(raw: RawParam[]): { contextId: number; connectId: number } {
  const contextId = intParam(raw[0], CONTEXT_ID, CONTEXT_ID);
  const connectId = intParam(raw[1], CONNECT_IDS.min, CONNECT_IDS.max);
  return { contextId, connectId };
}
