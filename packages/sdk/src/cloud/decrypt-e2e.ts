import { e2eOpen, E2E_V1, E2E_V2, parseE2eIdentity, SecurityFormatError, type E2eVersion } from '@modemlab/at';
import { CloudClient, type CloudClientOptions } from './client.js';
import { E2eDecryptError } from './errors.js';

const VERSION_OF_SUITE: Record<string, E2eVersion> = { [E2E_V1.cipherSuite]: 1, [E2E_V2.cipherSuite]: 2 };

/**
 * Decrypts what a module's +USECE2EDATAENC produced, as u-blox's official script does:
 * the key identity at the front of the blob goes to GetE2EDecryptionParameters, the
 * answer's key and nonce open the AES-128-CCM body. Pass a CloudClient to reuse its
 * session and connections across many blobs. Throws E2eDecryptError for a malformed blob
 * or one that does not authenticate, CloudRequestError when the cloud refuses.
 */
export async function decryptE2e(blob: Uint8Array, cloud: CloudClientOptions | CloudClient): Promise<Buffer> {
  let identity: Buffer;
  try {
    identity = parseE2eIdentity(blob).bytes;
  } catch (e) {
    throw new E2eDecryptError(e instanceof Error ? e.message : String(e));
  }
  const client = cloud instanceof CloudClient ? cloud : new CloudClient(cloud);
  try {
    const p = await client.e2eUplinkParameters(identity);
    const version = VERSION_OF_SUITE[p.CipherSuite];
    if (version === undefined) throw new E2eDecryptError(`unsupported cipher suite ${p.CipherSuite}`);
    try {
      return e2eOpen(blob, { version, key: Buffer.from(p.Key, 'base64'), nonce: Buffer.from(p.Nonce, 'base64'), macLengthBits: p.MACLength });
    } catch (e) {
      if (e instanceof SecurityFormatError) throw new E2eDecryptError(e.message);
      throw e;
    }
  } finally {
    if (client !== cloud) client.close();
  }
}
