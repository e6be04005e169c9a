/**
 * The cloud writer the crash-safety test kills: opens the security cloud's SQLite store in
 * the folder argv[2] (migrations on first start, the at-rest key file) and writes change
 * after change through the cloud's own services — an account with its API key (one
 * transaction), then a root of trust registered at the factory (its secret encrypted at
 * rest). Prints `opening`, then `send <i>` before and `ack <i>` after each change.
 */
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { AtRest, createAccount, loadOrCreateKeyFile, openStore, registerRot } from '../../packages/cloud/src/index.js';

const [dir, startText] = process.argv.slice(2) as [string, string];
process.stdout.write('opening\n');
const atRest = new AtRest(loadOrCreateKeyFile(join(dir, 'at-rest.key')));
const db = await openStore({ stateDir: dir });

for (let i = Number(startText); ; i++) {
  process.stdout.write(`send ${i}\n`);
  await createAccount(db, `crash-${i}`, 'customer', i);
  await registerRot(db, atRest, rotOf(i), i);
  process.stdout.write(`ack ${i}\n`);
}

function rotOf(i: number) {
  return { ChipID: `chip-${i}`, ROTPublicUID: i.toString(16).toUpperCase().padStart(16, '0'), RootSecret: createHash('sha256').update(`root ${i}`).digest() };
}
