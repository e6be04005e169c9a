/** Final result codes with their verbose (ATV1) and numeric (ATV0) forms, V.250 and u-blox. */
export const FINAL_RESULT_CODES = {
  OK: 0,
  CONNECT: 1,
  RING: 2,
  'NO CARRIER': 3,
  ERROR: 4,
  'NO DIALTONE': 6,
  BUSY: 7,
  'NO ANSWER': 8,
  'NOT SUPPORT': 10,
  'INVALID COMMAND LINE': 11,
  ABORTED: 3000,
} as const;

export type FinalResultName = keyof typeof FINAL_RESULT_CODES;

export function numericResult(name: FinalResultName): number {
  return FINAL_RESULT_CODES[name];
}
