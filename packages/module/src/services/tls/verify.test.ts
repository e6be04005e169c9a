import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { loadCertLib } from './cert-facts.js';
import { sharedPki } from '../../testing/tls-peers.js';
import { verifyServer } from './verify.js';

const DAY = 86_400_000;

// The certificate decoder loads lazily (cert-facts.ts); the direct calls below need it.
before(() => loadCertLib());

describe('verifyServer: the root\'s own dates (rootDates)', () => {
  it('levels 1-2 check only the trusted root; level 3 checks the whole path', () => {
    const pki = sharedPki();
    const ca = pki.ca.x509;
    const input = { chain: [pki.expired.x509], trusted: [ca], hostname: 'localhost' };
    const inside = Date.parse(ca.validFrom) + DAY;
    // An expired leaf under a valid root: level 1 with rootDates looks at the root only.
    assert.deepEqual(verifyServer({ ...input, level: 1, now: inside, rootDates: true }).ok, true);
    assert.equal(verifyServer({ ...input, level: 3, now: inside }).ok, false);
    const after = Date.parse(ca.validTo) + DAY;
    assert.equal(verifyServer({ ...input, level: 1, now: after }).ok, true, 'no date check without rootDates');
    const expired = verifyServer({ ...input, level: 1, now: after, rootDates: true });
    assert.equal(expired.ok === false && expired.failure, 'expired');
    const early = verifyServer({ ...input, level: 2, now: Date.parse(ca.validFrom) - DAY, rootDates: true });
    assert.equal(early.ok === false && early.failure, 'not-yet-valid');
    assert.equal(verifyServer({ ...input, level: 0, now: after, rootDates: true }).ok, true, 'level 0 checks nothing');
  });
});
