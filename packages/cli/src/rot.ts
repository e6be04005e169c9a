import { readFileSync } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import { NvmStore, RootOfTrust } from '@modemlab/module';
import { CliError } from './module-api.js';

/** A module's root of trust as the factory registry takes it (`modemlab cloud factory add` prints the same shape). */
export interface RotExport {
  ChipID: string;
  ROTPublicUID: string;
  /** 64 hex characters. */
  RootSecret: string;
}

/** What the module API exposes of a root of trust. */
export interface RotSource {
  uid: string;
  chipId: string;
  secret: Buffer;
}

export const rotExport = (rot: RotSource): RotExport => ({ ChipID: rot.chipId, ROTPublicUID: rot.uid, RootSecret: rot.secret.toString('hex') });

/** Where the modules reach the security service, and how the factory registers roots of trust there. */
export interface CloudLinkOptions {
  url: string;
  /** PEM text of `--cloud-ca`. */
  ca: string;
  /** `APIKEY:SECRET` of a factory account (`modemlab cloud account add --factory`). */
  factoryKey?: string;
}

/** `--cloud-factory-key`, or MODEMLAB_CLOUD_FACTORY_KEY so the secret stays off the command line. */
export function factoryKeyOf(flag: string | undefined, env: NodeJS.ProcessEnv = process.env): { apiKey: string; apiSecret: string } | undefined {
  const text = flag ?? env.MODEMLAB_CLOUD_FACTORY_KEY;
  if (text === undefined || text === '') return undefined;
  const at = text.indexOf(':');
  if (at <= 0 || at === text.length - 1) throw new CliError('modemlab: the factory key is APIKEY:SECRET (modemlab cloud account add --factory prints both)', 2);
  return { apiKey: text.slice(0, at), apiSecret: text.slice(at + 1) };
}

export function readCa(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (err) {
    throw new CliError(`modemlab: cannot read --cloud-ca ${file}: ${(err as Error).message}`, 2);
  }
}

/**
 * Registers roots of trust in the cloud's factory registry over HTTPS
 * (POST /v1/factory/rot/register with a factory account's token). One already there (409)
 * is fine: serve registers its modules at every start. Resolves with one line per root.
 */
export async function registerRots(rots: RotSource[], cloud: { url: string; ca: string; apiKey: string; apiSecret: string }): Promise<string[]> {
  // The SDK (its cloud client) is loaded here, not at start: `serve` without --cloud never needs it.
  const { CloudClient, CloudRequestError } = await import('@modemlab/sdk');
  const client = new CloudClient({ cloudUrl: cloud.url, ca: cloud.ca, apiKey: cloud.apiKey, apiSecret: cloud.apiSecret });
  const lines: string[] = [];
  try {
    for (const rot of rots) {
      try {
        await client.call('/v1/factory/rot/register', rotExport(rot));
        lines.push(`modemlab: root of trust ${rot.uid} registered with ${cloud.url}`);
      } catch (err) {
        if (err instanceof CloudRequestError && err.status === 409) lines.push(`modemlab: root of trust ${rot.uid} already registered with ${cloud.url}`);
        else throw new CliError(`modemlab: registering root of trust ${rot.uid} with ${cloud.url} failed: ${(err as Error).message}`, 1);
      }
    }
  } finally {
    client.close();
  }
  return lines;
}

/** The roots of trust of the modules `serve --state ROOT -m MODEL -n COUNT` runs (created if the folder is fresh). */
export async function stateRots(root: string, model: string, count: number): Promise<RotSource[]> {
  const rots: RotSource[] = [];
  for (let i = 0; i < count; i++) {
    const dir = path.resolve(root, `${model}-${i}`);
    await fs.mkdir(dir, { recursive: true });
    const rot = new RootOfTrust(new NvmStore(dir));
    rots.push({ uid: rot.uid, chipId: rot.chipId, secret: rot.secret });
  }
  return rots;
}
