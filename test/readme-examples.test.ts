import assert from 'node:assert/strict';
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { startLab, type Lab } from '../packages/cli/src/lab/lab.js';
import { loadModuleApi } from '../packages/cli/src/module-api.js';
import { configSchema } from '../packages/cli/src/config-schema.js';
import { startServe, type Served } from '../packages/cli/src/serve.js';

/**
 * The README's and the guide's examples, run as a reader would (issue 13): `modemlab lab`
 * (startLab, the command's body) in an empty folder, then every ```js block of README.md and
 * docs/guide.md saved verbatim as a .mjs file there and run with node (--import tsx: in the
 * repository the packages export their sources); each must exit 0 and print what the docs say.
 * ```json blocks (modemlab.config.json) are parsed with the config file's schema. Not run, by
 * design: fences without a language or ```text (AT transcripts: the byte-exact transcript tests
 * under test/transcripts replay those) and ```sh blocks (shell commands; `serve`, `lab`,
 * `term` and `cloud` have their own CLI tests).
 */
const ROOT = fileURLToPath(new URL('..', import.meta.url));
const DOCS = ['README.md', 'docs/guide.md'] as const;
const TEXT = Object.fromEntries(DOCS.map((d) => [d, fs.readFileSync(path.join(ROOT, d), 'utf8')])) as Record<(typeof DOCS)[number], string>;

/** The ```js blocks of the README, in order. */
export function jsExamples(readme: string): string[] {
  return [...readme.matchAll(/^```js\n([\s\S]*?)^```$/gm)].map((m) => m[1]!);
}

/** What each block prints, per document, in order (a block added to the docs needs its line here). */
const PRINTS: Record<(typeof DOCS)[number], Array<string | RegExp>> = {
  'README.md': [
    'echoed: hello over TLS',
    /^\{[\s\S]*\}\nattached as \d+\.\d+\.\d+\.\d+$/, // identify(), then the address
  ],
  'docs/guide.md': [
    '200 hello from the lab',
    'lab/hello: from the module',
    /"level":20,.*"msg":/, // pino at debug: the AT commands
    'u-blox echoed: hello from any vendor',
    'echoed: hello over the direct link',
    /^true true \d+$/, // files: the bytes come back, listed, sized
    '200 text/plain {"t":21.5}',
    /^over channel 1 \| SARA-R5\S*$/, // the echo on one channel, the model on the other
    /^C2C V2: SARA-R5\S*$/,
    '2.04 2.05 21.5',
    /^[0-9A-F]{16} true true 21\.5 C$/, // the security cloud: bootstrapped, sealed, E2E decrypted by the backend
  ],
};

/** Languages of fences that are not run (see above); any other language is a failure. */
const NOT_RUN = new Set(['', 'text', 'sh', 'json']);

async function run(file: string, cwd: string, env: NodeJS.ProcessEnv): Promise<{ code: number | null; out: string; err: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', file], { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout.on('data', (c: Buffer) => (out += c.toString()));
  child.stderr.on('data', (c: Buffer) => (err += c.toString()));
  const [code] = (await once(child, 'exit')) as [number | null];
  return { code, out, err };
}

/** The `modemlab` CLI, as the reader runs it (npx modemlab ...). */
const BIN = path.join(ROOT, 'packages/cli/bin/modemlab.js');

/** `modemlab cloud` in the background, resolved with its URL once it prints its ready line. */
async function startCloud(cwd: string): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(process.execPath, [BIN, 'cloud', '--listen', '127.0.0.1:0'], { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  const url = await new Promise<string>((resolve, reject) => {
    child.stdout!.on('data', (c: Buffer) => {
      out += c.toString();
      const m = /cloud listening on (https:\/\/\S+)/.exec(out);
      if (m) resolve(m[1]!);
    });
    child.once('exit', (code) => reject(new Error(`modemlab cloud exited ${code}: ${out}`)));
  });
  return { child, url };
}

describe('README.md and docs/guide.md: every js example runs verbatim against a lab (and a cloud)', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'modemlab-readme-'));
  let lab: Lab;
  let cloud: ChildProcess | undefined;
  let cloudModule: Served | undefined;
  const env: NodeJS.ProcessEnv = { ...process.env };
  /** The env of the guide's cloud example: MODEM is the `serve --cloud` module, not the lab's. */
  const cloudEnv: NodeJS.ProcessEnv = { ...process.env };
  before(async () => {
    fs.symlinkSync(path.join(ROOT, 'node_modules'), path.join(dir, 'node_modules'));
    const api = await loadModuleApi();
    const lines: string[] = [];
    lab = await startLab(api, { model: 'sara-r5', tcp: { host: '127.0.0.1', port: 0 }, count: 1, state: path.join(dir, '.modemlab/state') }, (l) => lines.push(l));
    env.MODEM = /listening on (tcp:\/\/\S+)/.exec(lines.join('\n'))![1]!;
    // The guide's cloud section, as a reader follows it: `modemlab cloud` (state in
    // ./.modemlab/cloud), a factory account for `serve --cloud`, a customer account whose key
    // the example reads from API_KEY/API_SECRET, and a module of its own (a bootstrapped module
    // refuses C2C pairing until sealed, so the lab's module stays out of the cloud).
    const started = await startCloud(dir);
    cloud = started.child;
    const account = (...args: string[]) => JSON.parse(execFileSync(process.execPath, [BIN, 'cloud', 'account', 'add', ...args], { cwd: dir, encoding: 'utf8' })) as { APIKey: string; APISecret: string };
    const factory = account('fab', '--factory');
    const acme = account('acme');
    const ca = fs.readFileSync(path.join(dir, '.modemlab/cloud/ca.pem'), 'utf8');
    const served: string[] = [];
    cloudModule = await startServe(
      api,
      { model: 'sara-r5', tcp: { host: '127.0.0.1', port: 0 }, count: 1, state: path.join(dir, '.modemlab/cloud-modules'), hosts: {}, cloud: { url: started.url, ca, factoryKey: `${factory.APIKey}:${factory.APISecret}` } },
      (l) => served.push(l),
    );
    const modem = /listening on (tcp:\/\/\S+)/.exec(served.join('\n'))![1]!;
    Object.assign(cloudEnv, { MODEM: modem, CLOUD: started.url, API_KEY: acme.APIKey, API_SECRET: acme.APISecret });
  });
  after(async () => {
    await lab?.close();
    await cloudModule?.close();
    if (cloud && cloud.exitCode === null) {
      const exited = once(cloud, 'exit');
      cloud.kill('SIGTERM');
      await exited;
    }
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('every fence is js (run) or an AT transcript, shell or JSON block (not run)', () => {
    for (const doc of DOCS) {
      const langs = [...TEXT[doc].matchAll(/^```(\S*)\n[\s\S]*?^```$/gm)].map((m) => m[1]!);
      assert.deepEqual(langs.filter((l) => l !== 'js' && !NOT_RUN.has(l)), [], doc);
    }
  });
  it('every json block is a valid modemlab.config.json', () => {
    const blocks = DOCS.flatMap((doc) => [...TEXT[doc].matchAll(/^```json\n([\s\S]*?)^```$/gm)].map((m) => m[1]!));
    assert.ok(blocks.length > 0);
    for (const block of blocks) configSchema.parse(JSON.parse(block));
  });
  for (const doc of DOCS) {
    const examples = jsExamples(TEXT[doc]);
    it(`${doc}: one expected output per block`, () => assert.equal(examples.length, PRINTS[doc].length));
    examples.forEach((source, i) => {
      it(`${doc} block ${i + 1} prints ${String(PRINTS[doc][i])} and exits 0`, async () => {
        const file = path.join(dir, `${path.basename(doc, '.md')}-example${i + 1}.mjs`);
        fs.writeFileSync(file, source);
        const r = await run(file, dir, source.includes('process.env.API_KEY') ? cloudEnv : env); // the cloud example reads the account's key
        assert.equal(r.code, 0, r.err);
        const want = PRINTS[doc][i]!;
        if (typeof want === 'string') assert.equal(r.out.trim(), want, r.err);
        else assert.match(r.out.trim(), want, r.err);
      });
    });
  }
});
