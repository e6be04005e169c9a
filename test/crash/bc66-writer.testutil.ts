/**
 * The writer the BC66 crash-safety test kills: a BC66 on the NVM folder argv[2] with its
 * radio off that rewrites the default bearer's PDN settings (+QCGDEFCONT, kept in NVM)
 * as fast as it can, printing `send <i>` before and `ack <i>` after each OK.
 */
import { QuectelHost } from '../../packages/module/src/dialects/quectel/quectel.testutil.js';
import { bc66ChangeOf } from './bc66-changes.testutil.js';

const dir = process.argv[2]!;
const start = Number(process.argv[4] ?? 0);
const host = await QuectelHost.create({ stateDir: dir });
if ((await host.at('AT+CFUN=0')) !== '\r\nOK\r\n') throw new Error('+CFUN=0 refused');

for (let i = start; ; i++) {
  const c = bc66ChangeOf(i);
  process.stdout.write(`send ${i}\n`);
  const out = await host.at(c.line);
  if (out !== '\r\nOK\r\n') throw new Error(`change ${i}: ${JSON.stringify(out)}`);
  process.stdout.write(`ack ${i}\n`);
}
