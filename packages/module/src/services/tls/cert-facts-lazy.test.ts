/**
 * pkijs/asn1js load at the first secure connection, not with the module (CLI start time):
 * before loadCertLib() certFacts() is a programming error, never a "certificate undecodable"
 * verdict; after it, the same certificate decodes. Its own file: a fresh process where
 * nothing has loaded the decoder yet.
 */
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { certFacts, certLibLoaded, CertificateDecodeError, loadCertLib } from './cert-facts.js';
import { sharedPki } from '../../testing/tls-peers.js';

it('certFacts needs loadCertLib(); loading twice is one load', async () => {
  const leaf = sharedPki().ca.x509;
  assert.equal(certLibLoaded(), false);
  assert.throws(() => certFacts(leaf), (err: unknown) => !(err instanceof CertificateDecodeError) && /before loadCertLib/.test((err as Error).message));
  const first = loadCertLib();
  assert.equal(loadCertLib(), first);
  await first;
  assert.equal(certLibLoaded(), true);
  assert.equal(certFacts(leaf).selfIssued, true);
});
