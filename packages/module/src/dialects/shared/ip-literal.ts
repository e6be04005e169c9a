const OCTET = '(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])';
const IPV4 = new RegExp(`^${OCTET}(\\.${OCTET}){3}$`);

/**
 * A dotted-quad IPv4 address as a host types it (no leading zeros, octets 0-255): the
 * parameter check of commands that take an address, without the socket library.
 */
export function isIpv4Literal(text: string): boolean {
  return IPV4.test(text);
}
