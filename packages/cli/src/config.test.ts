import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DEFAULT_TCP, loadConfig, resolveServe, type ServeFlags } from './config.js';
import { CliError } from './module-api.js';

function file(content: unknown): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'modemlab-config-'));
  const f = path.join(dir, 'modemlab.config.json');
  fs.writeFileSync(f, typeof content === 'string' ? content : JSON.stringify(content));
  return f;
}

const defaults: ServeFlags = { model: 'sara-r5', state: './.modemlab/state', net: 'lab', count: 1, logLevel: 'info' };
const nothingTyped = () => false;

test('config: every serve setting, the log and the network, validated with the flags\' own syntax; relative paths are the file\'s', async () => {
  const f = file({
    model: 'bc66',
    tcp: '0.0.0.0:7100',
    state: 'st',
    hosts: { 'broker.lab': '127.0.0.1' },
    forward: { '127.0.0.1:443': '127.0.0.1:8443' },
    apns: ['my.iot.apn'],
    net: 'open',
    count: 2,
    trace: 'trace.jsonl',
    log: { level: 'debug', file: 'logs/serve.log', format: 'json' },
    network: { operatorName: 'Lab', plmn: '00102', rssi: -90, coverage: false, packetLoss: 0.25, registrationDelayMs: 0 },
  });
  const dir = path.dirname(f);
  const cfg = await loadConfig(f, true)!;
  const { serve, log } = resolveServe(defaults, nothingTyped, cfg);
  assert.deepEqual(serve, {
    model: 'bc66',
    tcp: { host: '0.0.0.0', port: 7100 },
    state: path.join(dir, 'st'),
    hosts: { 'broker.lab': '127.0.0.1' },
    forwards: { '127.0.0.1:443': '127.0.0.1:8443' },
    apns: ['my.iot.apn'],
    net: 'open',
    count: 2,
    trace: path.join(dir, 'trace.jsonl'),
    network: { operatorName: 'Lab', plmn: '00102', rssi: -90, coverage: false, packetLoss: 0.25, registrationDelayMs: 0 },
  });
  assert.deepEqual(log, { level: 'debug', file: path.join(dir, 'logs/serve.log'), format: 'json' });
});

test('config: a typed flag wins over the file, the file over a flag default; --hosts adds to the file\'s table', async () => {
  const cfg = await loadConfig(file({ model: 'ge910', count: 3, hosts: { a: '10.0.0.1' }, log: { level: 'warn' } }), true)!;
  const flags: ServeFlags = { ...defaults, model: 'he910', hosts: { b: '10.0.0.2' }, logLevel: 'info' };
  const { serve, log } = resolveServe(flags, (f) => f === 'model' || f === 'hosts', cfg);
  assert.equal(serve.model, 'he910');
  assert.equal(serve.count, 3);
  assert.deepEqual(serve.hosts, { a: '10.0.0.1', b: '10.0.0.2' });
  assert.equal(log.level, 'warn');
});

test('config: TCP 7000 by default, none beside a --pty, "none" or an address from the file', async () => {
  assert.deepEqual(resolveServe(defaults, nothingTyped).serve.tcp, DEFAULT_TCP);
  assert.equal(resolveServe({ ...defaults, pty: '/tmp/ttyX' }, (f) => f === 'pty').serve.tcp, null);
  assert.equal(resolveServe(defaults, nothingTyped, await loadConfig(file({ pty: '/tmp/ttyX' }), true)).serve.tcp, null);
  assert.equal(resolveServe(defaults, nothingTyped, await loadConfig(file({ tcp: 'none', pty: '/tmp/ttyX' }), true)).serve.tcp, null);
  assert.deepEqual(resolveServe(defaults, nothingTyped, await loadConfig(file({ tcp: '127.0.0.1:0', pty: '/tmp/ttyX' }), true)).serve.tcp, { host: '127.0.0.1', port: 0 });
});

test('config: gnss (a position, or a track file relative to the file) and gpio levels; a typed --gpio adds to the file\'s', async () => {
  const f = file({ gnss: 'walk.gpx', gpio: { '23': 1, '24': 'float' } });
  const cfg = await loadConfig(f, true)!;
  const { serve } = resolveServe({ ...defaults, gpio: { 24: 0 } }, (k) => k === 'gpio', cfg);
  assert.equal(serve.gnss, path.join(path.dirname(f), 'walk.gpx'));
  assert.deepEqual(serve.gpio, { 23: 1, 24: 0 });
  const pos = await loadConfig(file({ gnss: '52.5,13.25' }), true)!;
  assert.equal(resolveServe(defaults, nothingTyped, pos).serve.gnss, '52.5,13.25');
});

test('config: bad files are CliErrors (exit 2) naming the file and each bad field', async () => {
  const bad = async (content: unknown, ...expected: RegExp[]) => {
    const f = file(content);
    await assert.rejects(
      () => loadConfig(f, true),
      (err: unknown) => {
        assert.ok(err instanceof CliError);
        assert.equal(err.exitCode, 2);
        assert.ok(err.message.includes(f), err.message);
        for (const e of expected) assert.match(err.message, e);
        return true;
      },
    );
  };
  await bad({ modle: 'sara-r5' }, /modle/);
  await bad({ tcp: 'localhost' }, /tcp: expected HOST:PORT/);
  await bad({ hosts: { 'bad name': '1.2.3.4' } }, /hosts: invalid host name/);
  await bad({ forward: { '127.0.0.1:443': 'x' } }, /forward: expected IPV4:PORT/);
  await bad({ apns: ['bad apn!'] }, /apns: invalid APN/);
  await bad({ count: 0, net: 'closed' }, /count/, /net/);
  await bad({ network: { rssi: 10, plmn: '1', colour: 'red' } }, /network\.rssi/, /network\.plmn/, /colour/);
  await bad({ log: { level: 'loud' } }, /log\.level/);
  await bad({ gpio: { '23': 2 } }, /gpio/);
  await bad('{ not json', /not JSON/);
});

test('config: the default file may be absent; an explicit --config must exist', async () => {
  const missing = path.join(os.tmpdir(), 'modemlab-no-such-dir', 'modemlab.config.json');
  assert.equal(await loadConfig(missing, false), undefined);
  await assert.rejects(() => loadConfig(missing, true), (err: unknown) => err instanceof CliError && err.exitCode === 2 && /cannot read config/.test(err.message));
});

test('config: radio and radioScript (relative to the file) as --radio/--radio-script; a typed flag wins', async () => {
  const f = file({ radio: 'nbiot:deep-indoor', radioScript: 'radio.json' });
  const cfg = await loadConfig(f, true)!;
  const { serve } = resolveServe(defaults, nothingTyped, cfg);
  assert.equal(serve.radio, 'nbiot:deep-indoor');
  assert.equal(serve.radioScript, path.join(path.dirname(f), 'radio.json'));
  assert.equal(resolveServe({ ...defaults, radio: 'gsm:edge' }, (flag) => flag === 'radio', cfg).serve.radio, 'gsm:edge');
});

test('config: console {listen, token} as --console/--console-token; PORT alone is loopback; each typed flag wins', async () => {
  const cfg = (await loadConfig(file({ console: { listen: '0.0.0.0:8080', token: 's3cret' } }), true))!;
  assert.deepEqual(resolveServe(defaults, nothingTyped, cfg).serve.console, { host: '0.0.0.0', port: 8080, token: 's3cret' });
  const portOnly = (await loadConfig(file({ console: { listen: 9000 } }), true))!;
  assert.deepEqual(resolveServe(defaults, nothingTyped, portOnly).serve.console, { host: '127.0.0.1', port: 9000 });
  const typed = { ...defaults, console: { host: '127.0.0.1', port: 7100 }, consoleToken: 'flag' };
  assert.deepEqual(resolveServe(typed, (f) => f === 'console', cfg).serve.console, { host: '127.0.0.1', port: 7100, token: 's3cret' });
  assert.deepEqual(resolveServe(typed, (f) => f === 'consoleToken', cfg).serve.console, { host: '0.0.0.0', port: 8080, token: 'flag' });
  assert.equal(resolveServe(defaults, nothingTyped, {}).serve.console, undefined);
  // A token needs an address; a bad address or an unknown field is the config's error.
  assert.equal(resolveServe(defaults, nothingTyped, (await loadConfig(file({ console: { listen: '127.0.0.1:1', token: 't' } }), true))!).serve.console?.token, 't');
  await assert.rejects(() => loadConfig(file({ console: { token: 't' } }), true), (err: unknown) => err instanceof CliError && /console\.listen/.test(err.message));
  await assert.rejects(() => loadConfig(file({ console: { listen: 'nowhere:99999' } }), true), (err: unknown) => err instanceof CliError && /console\.listen/.test(err.message));
  await assert.rejects(() => loadConfig(file({ console: { listen: '127.0.0.1:80', tokn: 'x' } }), true), (err: unknown) => err instanceof CliError && /console/.test(err.message));
});
