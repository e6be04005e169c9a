import type { Duplex } from 'node:stream';
import type { CliModule, ModuleApi } from './module-api.js';

/** A fake module package: each module answers `\r\nOK\r\n` to `AT\r`. */
export function fakeApi(): ModuleApi & { created: Array<{ opts: unknown; closed: boolean }> } {
  const created: Array<{ opts: unknown; closed: boolean }> = [];
  return {
    created,
    listModels: () => ['sara-r5', 'sara-r410m'],
    async createModule(opts) {
      const rec = { opts, closed: false };
      created.push(rec);
      const m: CliModule = {
        modelId: opts.model,
        attach(stream: Duplex) {
          let line = '';
          const onData = (c: Buffer): void => {
            line += c.toString('latin1');
            let i: number;
            while ((i = line.indexOf('\r')) >= 0) {
              const cmd = line.slice(0, i);
              line = line.slice(i + 1);
              stream.write(cmd === 'AT' ? '\r\nOK\r\n' : '\r\nERROR\r\n');
            }
          };
          stream.on('data', onData);
          return () => void stream.off('data', onData);
        },
        async close() {
          rec.closed = true;
        },
      };
      return m;
    },
    commandTable: (model) => [
      { name: '+CGMR', forms: ['action', 'test'], source: `dialects/${model}/general` },
      { name: 'A|B', forms: ['set'], source: 'x' },
    ],
  };
}
