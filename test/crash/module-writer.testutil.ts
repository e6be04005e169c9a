/**
 * The writer the crash-safety test kills: a SARA-R5 on the NVM folder given as argv[2]
 * that changes its persistent state through the AT interface as fast as it can — a
 * certificate, a file, a security profile, the MQTT profile saved with +UMQTTNV, the
 * MQTT-SN profile saved with +UMQTTSNNV — one
 * command at a time. Before each command it prints `send <i>`, after its OK `ack <i>`
 * (stdout is a pipe: Linux writes it synchronously, so a printed ack was acknowledged).
 * argv[3] is a JSON file with the certificates to import (PEM). What change <i> writes is
 * `changeOf(i)`, shared with the test that checks the state afterwards.
 */
import { readFileSync } from 'node:fs';
import { ModuleHarness } from '../../packages/module/src/testing/harness.js';
import { changeOf, fileBody } from './changes.testutil.js';

const [dir, certsFile] = process.argv.slice(2) as [string, string];
const certs = JSON.parse(readFileSync(certsFile, 'utf8')) as string[];
const h = await ModuleHarness.create({ model: 'sara-r5', stateDir: dir });
const start = Number(process.argv[4] ?? 1);

async function must(line: string | Buffer, expect: RegExp): Promise<void> {
  const out = await h.send(line);
  if (!expect.test(out)) throw new Error(`unexpected answer to ${String(line).slice(0, 40)}: ${JSON.stringify(out)}`);
}

for (let i = start; ; i++) {
  const c = changeOf(i);
  process.stdout.write(`send ${i}\n`);
  if (c.kind === 'certificate') {
    const pem = Buffer.from(certs[c.version % certs.length]!);
    await must(`AT+USECMNG=0,0,"${c.slot}",${pem.length}\r`, />$/);
    await must(pem, /\r\nOK\r\n$/);
  } else if (c.kind === 'file') {
    const body = fileBody(c.version);
    await must(`AT+UDWNFILE="${c.slot}",${body.length}\r`, />$/);
    await must(body, /\r\nOK\r\n$/);
  } else if (c.kind === 'security-profile') {
    await must(`AT+USECPRF=${c.slot},10,"v${c.version}.example.test"\r`, /\r\nOK\r\n$/);
  } else if (c.kind === 'mqtt-profile') {
    await must(`AT+UMQTT=0,"v${c.version}"\r`, /\r\nOK\r\n$/);
    await must('AT+UMQTTNV=2\r', /\r\nOK\r\n$/);
  } else {
    await must(`AT+UMQTTSN=0,"v${c.version}"\r`, /\r\nOK\r\n$/);
    await must('AT+UMQTTSNNV=2\r', /\r\nOK\r\n$/);
  }
  process.stdout.write(`ack ${i}\n`);
}
