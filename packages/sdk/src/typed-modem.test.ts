import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'node:test';
import { promisify } from 'node:util';
import { AtClient } from './at-client.js';
import { QuectelModem } from './drivers/quectel.js';
import { TelitModem } from './drivers/telit.js';
import { UbloxModem } from './drivers/ublox.js';
import { VendorMismatchError } from './errors.js';
import { openModem } from './open-modem.js';
import { duplexPair, ScriptedModule } from './testing/scripted-module.js';
import { isQuectel, isTelit, isUblox, isVendor } from './typed-modem.js';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const fixture = fileURLToPath(new URL('../test-types/open-modem.types.ts', import.meta.url));

describe('typed modems', () => {
  it('type-checks each vendor API without casts and refuses what a vendor lacks (tsc on a fixture)', { timeout: 120_000 }, async () => {
    // The project's compiler options, on the fixture alone: @ts-expect-error lines fail the
    // compile if a vendor API stops being an error, the rest if one stops type-checking.
    const tsc = fileURLToPath(new URL('node_modules/typescript/bin/tsc', `file://${root}`));
    const args = [tsc, '--noEmit', '--strict', '--target', 'ES2022', '--module', 'NodeNext', '--moduleResolution', 'NodeNext', '--skipLibCheck', '--verbatimModuleSyntax', '--types', 'node', fixture];
    const result = await promisify(execFile)(process.execPath, args, { cwd: root }).then(
      () => ({ code: 0, out: '' }),
      (e: { code: number; stdout: string }) => ({ code: e.code, out: e.stdout }),
    );
    assert.equal(result.code, 0, result.out);
  });

  it('narrows with guards on vendor', () => {
    const [host] = duplexPair();
    const client = new AtClient(host);
    const modems = [new UbloxModem(client), new TelitModem(client), new QuectelModem(client)];
    assert.deepEqual(modems.map(isUblox), [true, false, false]);
    assert.deepEqual(modems.map(isTelit), [false, true, false]);
    assert.deepEqual(modems.map(isQuectel), [false, false, true]);
    assert.deepEqual(modems.map((m) => isVendor(m, 'telit')), [false, true, false]);
    host.destroy();
  });

  it('refuses a module of another vendor than the one named, and closes the link', async () => {
    const [host, port] = duplexPair();
    const module = new ScriptedModule(port, (cmd, m) => (cmd === 'AT+CGMI' ? m.ok('Telit') : m.ok()));
    module.echo = true;
    await assert.rejects(openModem({ stream: host, vendor: 'u-blox', client: { defaultTimeoutMs: 2_000 } }), (e: unknown) => e instanceof VendorMismatchError && e.expected === 'u-blox' && e.actual === 'telit');
    assert.ok(host.destroyed);
  });

  it('returns the named vendor typed as its driver', async () => {
    const [host, port] = duplexPair();
    const module = new ScriptedModule(port, (cmd, m) => (cmd === 'AT+CGMI' ? m.ok('u-blox') : m.ok()));
    module.echo = true;
    const modem = await openModem({ stream: host, vendor: 'u-blox', client: { defaultTimeoutMs: 2_000 } });
    try {
      assert.ok(modem instanceof UbloxModem);
      assert.equal(typeof modem.securityProfiles.configure, 'function');
    } finally {
      await modem.close();
    }
  });
});
