/**
 * The writer the Telit crash-safety test kills: a GE910 on the NVM folder argv[2] that
 * changes its persistent SSL settings through AT commands (#SSLCFG, #SSLSECCFG, the CA
 * stored by #SSLSECDATA), printing `send <i>` before and `ack <i>` after each OK.
 * argv[3] is a JSON file with the certificates (PEM); argv[4] the first change.
 */
import { readFileSync } from 'node:fs';
import { ManualClock } from '@modemlab/at';
import { at, storePem, telitModule } from '../../packages/module/src/dialects/telit/telit.testutil.js';
import { telitChangeOf } from './telit-changes.testutil.js';

const [dir, certsFile] = process.argv.slice(2) as [string, string];
const certs = JSON.parse(readFileSync(certsFile, 'utf8')) as string[];
const h = await telitModule('ge910', new ManualClock(Date.now()), dir);
const start = Number(process.argv[4] ?? 0);

for (let i = start; ; i++) {
  const c = telitChangeOf(i);
  process.stdout.write(`send ${i}\n`);
  const out = c.kind === 'secdata' ? await storePem(h, 1, certs[Number(c.value)]!) : await at(h, c.line);
  if (out !== '\r\nOK\r\n') throw new Error(`change ${i} (${c.kind}): ${JSON.stringify(out)}`);
  process.stdout.write(`ack ${i}\n`);
}
