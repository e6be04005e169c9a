/**
 * Telit (#SSLD: 832 "SSL socket error") and Quectel (+QSSLOPEN: -2) report a failed name
 * lookup and a failed TCP connect alike. The driver then asks the module's own resolver
 * (#QDNS, +QIDNSGIP) about the name: a failed lookup makes the failure a DnsError, a name
 * that resolves leaves it a ConnectionFailedError. An IP address literal is not looked up.
 */
import { isIP } from 'node:net';
import { AtError, AtTimeoutError, ConnectionFailedError, DnsError, type ModemNetworkError, type NetworkFailure } from '../errors.js';

export async function socketOrDnsFailure(resolve: (name: string) => Promise<string>, f: NetworkFailure): Promise<ModemNetworkError> {
  if (f.host !== undefined && isIP(f.host) === 0) {
    try {
      await resolve(f.host);
    } catch (error) {
      // The resolver answered "no": the name is the reason. A silent module proves nothing.
      if (error instanceof AtError && !(error instanceof AtTimeoutError)) {
        const report = error instanceof DnsError ? error.moduleReport : error.response.at(-1) ?? error.message;
        return new DnsError({ ...f, moduleReport: `${f.moduleReport}; ${report}` });
      }
    }
  }
  return new ConnectionFailedError(f);
}
