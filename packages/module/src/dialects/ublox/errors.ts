import { CME_27007_TEXT } from '../shared/cme.js';

/**
 * u-blox +CME ERROR numbers and their +CMEE=2 texts (3GPP 27.007 §9.2 plus the u-blox
 * extensions; shared/spec/notes/at-commands.md §E).
 */
export const UBLOX_CME_TEXT: Record<number, string> = {
  ...CME_27007_TEXT,
  1: 'no connection to phone',
  31: 'network timeout',
  50: 'Incorrect parameters',
  51: 'Command implemented but currently disabled',
  52: 'Command aborted by user',
  53: 'Not attached to network due to MT functionality restrictions',
  54: 'Modem not allowed - MT restricted to emergency calls only',
  55: 'Operation not allowed because of MT functionality restrictions',
  127: 'Missing or unknown APN',
  128: 'Unknown PDP address or PDP type',
  131: 'Request rejected, unspecified',
  132: 'Service option not supported',
  143: 'Unknown PDP context',
  148: 'Unspecified GPRS error',
  255: 'Internal error',
  1530: 'IPv4 only allowed',
  1531: 'IPv6 only allowed',
  1548: 'PDP activation rejected',
  1550: 'GPRS generic operation error',
  1551: 'GPRS invalid APN',
  1552: 'GPRS authentication failure',
  1554: 'GPRS network failure',
  1555: 'GPRS context busy',
  1560: 'PDP type IPv4 only allowed',
  1561: 'PDP type IPv6 only allowed',
  1600: 'FFS error',
  1612: 'FILE NOT FOUND',
  1613: 'Cannot open file',
  1620: 'Buffer full',
  1624: 'FFS file not found',
  1625: 'FFS file already created',
  1636: 'FFS maximum number of files exceeded',
  1637: 'NOT ENOUGH FREE SPACE',
  1638: 'FFS invalid filename',
  1649: 'FFS TIMEOUT',
  1650: 'Command line too long',
  1910: 'USECMNG import timeout expired (no input for > 20 s)',
  1911: 'USECMNG import file size exceeds limit',
  1912: 'USECMNG no memory available',
  1913: 'USECMNG invalid certificate/key format',
  1914: 'USECMNG database full',
  1915: 'USECMNG database internal error',
  1916: 'USECMNG internal name not found',
  1917: 'USECMNG internal name already present',
  1918: 'USECMNG private key format error',
  1919: 'USECMNG MD5 checksum error',
  1920: 'USECMNG PEM DER conversion error',
  1921: 'USECMNG certificate date error',
  1922: 'USECMNG certificate common name error',
  /** The text ubxlib's tests met on freshly booted modules (notes security-service.md §1.1); the number is ours. */
  1950: 'SEC busy',
  2000: 'Command timeout',
  3000: 'Command aborted',
  4000: 'APN configuration mismatch',
  4001: 'IP type configuration mismatch',
};

export const UbloxCme = {
  noConnection: 1,
  notAllowed: 3,
  notSupported: 4,
  simNotInserted: 10,
  noNetworkService: 30,
  badParameter: 50,
  mtRestricted: 55,
  unknown: 100,
  unknownPdpContext: 143,
  /** 27.007 "unspecified GPRS error": the network rejected the activation (its cause is in +CEER). */
  gprsUnspecified: 148,
  gprsGeneric: 1550,
  lineTooLong: 1650,
  secBusy: 1950,
  apnMismatch: 4000,
  ipTypeMismatch: 4001,
} as const;

export function ubloxErrorText(code: number): string {
  return UBLOX_CME_TEXT[code] ?? 'unknown';
}
