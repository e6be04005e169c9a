import { rootCertificates } from 'node:tls';
import { X509Certificate } from 'node:crypto';
import { commonNameOf } from './cert-der.js';

/**
 * The certificates of a product's pre-installed roots (models/preinstalled-roots.ts names
 * them) are the public roots Node carries, found by subject common name.
 */
let byCommonName: Map<string, Buffer> | undefined;

/** The DER of the public root whose subject CN is `commonName`, from Node's bundled store. */
export function publicRootDer(commonName: string): Buffer | undefined {
  if (!byCommonName) {
    byCommonName = new Map();
    for (const pem of rootCertificates) {
      const x = new X509Certificate(pem);
      const cn = commonNameOf(x);
      if (cn !== '' && !byCommonName.has(cn)) byCommonName.set(cn, x.raw);
    }
  }
  return byCommonName.get(commonName);
}
