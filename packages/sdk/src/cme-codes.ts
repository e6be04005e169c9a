/**
 * The common `+CME ERROR` numbers and texts (3GPP 27.007 §9.2 and u-blox extensions),
 * so a `CmeError` carries both the code and the text whatever `+CMEE` mode is set.
 */
export const CME_TEXTS: ReadonlyMap<number, string> = new Map([
  [0, 'phone failure'],
  [1, 'no connection to phone'],
  [3, 'operation not allowed'],
  [4, 'operation not supported'],
  [5, 'PH-SIM PIN required'],
  [10, 'SIM not inserted'],
  [11, 'SIM PIN required'],
  [12, 'SIM PUK required'],
  [13, 'SIM failure'],
  [14, 'SIM busy'],
  [15, 'SIM wrong'],
  [16, 'incorrect password'],
  [20, 'memory full'],
  [21, 'invalid index'],
  [22, 'not found'],
  [23, 'memory failure'],
  [24, 'text string too long'],
  [30, 'no network service'],
  [31, 'network timeout'],
  [32, 'network not allowed - emergency calls only'],
  [50, 'Incorrect parameters'],
  [51, 'Command implemented but currently disabled'],
  [52, 'Command aborted by user'],
  [53, 'Not attached to network due to MT functionality restrictions'],
  [55, 'Operation not allowed because of MT functionality restrictions'],
  [100, 'unknown'],
  [107, 'GPRS services not allowed'],
  [111, 'PLMN not allowed'],
  [127, 'Missing or unknown APN'],
  [128, 'Unknown PDP address or PDP type'],
  [129, 'User authentication failed'],
  [132, 'Service option not supported'],
  [133, 'Requested service option not subscribed'],
  [143, 'Unknown PDP context'],
  [148, 'Unspecified GPRS error'],
  [149, 'PDP authentication failure'],
  [255, 'Internal error'],
  [300, 'ME failure'],
  [302, 'Operation not allowed'],
  [303, 'Operation not supported'],
  [500, 'Unknown error'],
  [1612, 'FILE NOT FOUND'],
  [1636, 'FFS maximum number of files exceeded'],
  [1637, 'NOT ENOUGH FREE SPACE'],
  [1638, 'FFS invalid filename'],
  [1649, 'FFS TIMEOUT'],
  [1650, 'Command line too long'],
  [1681, 'SEC C2C already paired'],
  [1682, 'SEC C2C channels consumed'],
  [1683, 'SEC C2C pairing not present'],
  [2000, 'Command timeout'],
  [3000, 'Command aborted'],
  [4000, 'APN configuration mismatch'],
  [4001, 'IP type configuration mismatch'],
]);

const BY_TEXT = new Map<string, number>();
for (const [code, text] of CME_TEXTS) {
  const key = text.toLowerCase();
  // Keep the first (standard) number when u-blox reuses a text (e.g. 3 and 302).
  if (!BY_TEXT.has(key)) BY_TEXT.set(key, code);
}

/** The number of a verbose CME text, when it is a known one (case-insensitive). */
export function cmeCodeOf(text: string): number | undefined {
  return BY_TEXT.get(text.trim().toLowerCase());
}
