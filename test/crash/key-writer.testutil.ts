/**
 * The key-file writer the at-rest key crash test kills: creates the cloud's at-rest key file
 * in folder argv[2]/k<i> for i = argv[3], argv[3]+1, … (or, with argv[3] = "race", once in
 * argv[2]). Prints `send <i>` before and `ack <i> <key hex>` after each creation.
 */
import { join } from 'node:path';
import { loadOrCreateKeyFile } from '../../packages/cloud/src/index.js';

const [dir, startText] = process.argv.slice(2) as [string, string];
if (startText === 'race') {
  process.stdout.write(`ack race ${loadOrCreateKeyFile(join(dir, 'cloud.key')).toString('hex')}\n`);
} else {
  for (let i = Number(startText); ; i++) {
    process.stdout.write(`send ${i}\n`);
    const key = loadOrCreateKeyFile(join(dir, `k${i}`, 'cloud.key'));
    process.stdout.write(`ack ${i} ${key.toString('hex')}\n`);
  }
}
