/**
 * 3GPP 27.007 §9.2 +CME ERROR texts that u-blox and Telit print alike. Each vendor's table
 * spreads these and adds its own spellings (Telit's "No connection to phone", "network
 * time-out") and extensions; Quectel's BC66 table is its own, smaller list.
 */
export const CME_27007_TEXT: Readonly<Record<number, string>> = {
  0: 'phone failure',
  3: 'operation not allowed',
  4: 'operation not supported',
  10: 'SIM not inserted',
  11: 'SIM PIN required',
  12: 'SIM PUK required',
  13: 'SIM failure',
  14: 'SIM busy',
  15: 'SIM wrong',
  16: 'incorrect password',
  20: 'memory full',
  21: 'invalid index',
  22: 'not found',
  23: 'memory failure',
  24: 'text string too long',
  25: 'invalid characters in text string',
  30: 'no network service',
  100: 'unknown',
  107: 'GPRS services not allowed',
  111: 'PLMN not allowed',
  149: 'PDP authentication failure',
};
