import type { RawParam } from '@modemlab/at';
import type { CommandContext } from '../../engine/context.js';
import { plainError } from '../../engine/failure.js';
import { defineCommands } from '../../engine/registry.js';
import { IDS_RANGE, idsParam, intParam } from './ssl-params.js';
import { qsslState, type QsslConfig } from './ssl-state.js';

/** Longest PEM the module takes after '>' (the seed is silent: our choice). */
export const MAX_PEM = 4096;
const CERT_KEYS = ['cacert', 'clientcert', 'clientkey'] as const;
type CertKey = (typeof CERT_KEYS)[number];

/**
 * Keys as written; seed 004's example spells "secclevel" (and its parameter table
 * "<secllevel>"): the example must run, so that spelling is accepted too.
 */
const KEY_ALIASES: Record<string, string> = { secclevel: 'seclevel' };

function keyOf(p: RawParam | undefined): string {
  if (!p || p.kind !== 'string') throw plainError('key expected');
  const k = p.value.toLowerCase();
  return KEY_ALIASES[k] ?? k;
}

function lines(ctx: CommandContext, contextId: number, connectId: number, c: QsslConfig, key?: string): void {
  const head = `+QSSLCFG: ${contextId},${connectId},`;
  const all: Record<string, string> = {
    seclevel: `"seclevel",${c.seclevel}`,
    dataformat: `"dataformat",${c.sendFormat},${c.recvFormat}`,
    timeout: `"timeout",${c.timeout}`,
    debug: `"debug",${c.debug}`,
    cacert: `"cacert",${c.cacert?.length ?? 0}`,
    clientcert: `"clientcert",${c.clientcert?.length ?? 0}`,
    clientkey: `"clientkey",${c.clientkey?.length ?? 0}`,
  };
  for (const [k, text] of Object.entries(all)) if (key === undefined || key === k) ctx.info(head + text);
}

/**
 * +QSSLCFG (seed 004 §2.2.1): the settings of SSL context <contextID>,<connectID>. Every
 * error is the plain ERROR the seed documents, and changes nothing. A certificate or key is
 * entered after '>' and ended by Ctrl-Z; ESC cancels with OK and keeps the previous one
 * (27.005's convention for text input; the seed is silent). The module answers the number
 * of bytes entered; whether they are a certificate is found out by +QSSLOPEN (-3/-4).
 */
export const sslConfigCommands = defineCommands(import.meta.url, [
  {
    name: '+QSSLCFG',
    async set(ctx, _args, raw) {
      const { contextId, connectId } = idsParam(raw);
      const state = qsslState(ctx.module);
      if (raw.length === 2) {
        lines(ctx, contextId, connectId, state.config(connectId));
        return;
      }
      const key = keyOf(raw[2]);
      const rest = raw.slice(3);
      const query = rest.length === 0;
      const current = state.config(connectId);
      switch (key) {
        case 'seclevel':
        case 'timeout':
        case 'debug': {
          if (query) break;
          if (rest.length !== 1) throw plainError('one value expected');
          const [min, max] = key === 'seclevel' ? [0, 2] : key === 'timeout' ? [10, 300] : [0, 4];
          const value = intParam(rest[0], min!, max!);
          state.configs.set(connectId, { ...current, [key]: value });
          return;
        }
        case 'dataformat': {
          if (query) break;
          if (rest.length !== 2) throw plainError('two formats expected');
          const send = intParam(rest[0], 0, 1);
          const recv = intParam(rest[1], 0, 1);
          state.configs.set(connectId, { ...current, sendFormat: send, recvFormat: recv });
          return;
        }
        case 'cacert':
        case 'clientcert':
        case 'clientkey': {
          if (!query) throw plainError('no value after a certificate key');
          const outcome = await ctx.prompt({ kind: 'text', maxLength: MAX_PEM + 1 });
          if (outcome.status === 'cancelled') return;
          // The host fell silent (or went away) mid-upload: the prompt ends in the documented ERROR.
          if (outcome.status === 'timeout') throw plainError('no input');
          if (outcome.data.length === 0 || outcome.data.length > MAX_PEM) throw plainError('certificate size');
          state.configs.set(connectId, { ...state.config(connectId), [key as CertKey]: outcome.data });
          ctx.info(`+QSSLCFG: ${contextId},${connectId},"${key}",${outcome.data.length}`);
          return;
        }
        default:
          throw plainError(`unknown key ${key}`);
      }
      lines(ctx, contextId, connectId, current, key);
    },
    test(ctx) {
      const head = `+QSSLCFG: ${IDS_RANGE}`;
      ctx.info(head);
      ctx.info(`${head},"seclevel",(0-2)`);
      ctx.info(`${head},"dataformat",(0,1),(0,1)`);
      ctx.info(`${head},"timeout",(10-300)`);
      ctx.info(`${head},"debug",(0-4)`);
      ctx.info(`${head},"cacert"`);
      ctx.info(`${head},"clientcert"`);
      ctx.info(`${head},"clientkey"`);
    },
  },
]);
