import { q, type ParamSpec } from '@modemlab/at';
import type { CommandContext } from '../../engine/context.js';
import { cme, plainError } from '../../engine/failure.js';
import { defineCommands } from '../../engine/registry.js';
import type { FileSystemTable } from '../../models/file-system-table.js';
import { BlockOrderError } from '../../services/files/block-uploads.js';
import { FileSystemError, type FileSystem, type FileSystemFailure, type FileWriter } from '../../services/files/file-system.js';
import { UbloxCme } from './errors.js';

/** +CME ERROR numbers of the file system (shared/spec/notes/at-commands.md §C, §E). */
export const FileCme = {
  fileNotFound: 1612,
  tooManyFiles: 1636,
  noSpace: 1637,
  invalidName: 1638,
  timeout: 1649,
} as const;

const CME_BY_KIND: Record<FileSystemFailure, number> = {
  'not-found': FileCme.fileNotFound,
  'no-space': FileCme.noSpace,
  'bad-name': FileCme.invalidName,
  quota: FileCme.tooManyFiles,
};

/** The u-blox error for a file system refusal; a block out of order is a bad parameter. */
export function fileFailure(err: unknown): unknown {
  if (err instanceof FileSystemError) return cme(CME_BY_KIND[err.kind], err.message);
  if (err instanceof BlockOrderError) return cme(UbloxCme.badParameter, err.message);
  return err;
}

function fs<T>(call: () => T): T {
  try {
    return call();
  } catch (err) {
    throw fileFailure(err);
  }
}

const files = (ctx: CommandContext): FileSystem => ctx.module.services.files;
const table = (ctx: CommandContext): FileSystemTable => ctx.module.model.fileSystem;

/** Names are checked by the file system (empty or too long: FFS invalid filename). */
const nameSpec: ParamSpec = { name: 'filename', type: 'string' };
const tagSpec: ParamSpec = { name: 'tag', type: 'string', optional: true };
const READ_CHUNK = 64 * 1024;

/** Only the tags the product has; the emulator keeps user files only (tag "USER"). */
function checkTag(ctx: CommandContext, tag: unknown): void {
  if (tag !== undefined && !table(ctx).tags.includes(tag as string)) throw cme(UbloxCme.notSupported, `tag ${String(tag)}`);
}

/**
 * Collects exactly `size` bytes after the `>` prompt into `writer` (streamed to disk, never
 * whole in memory), with the product's guard timer. Everything is discarded on a timeout
 * or a refusal; the caller commits.
 */
async function receiveInto(ctx: CommandContext, writer: FileWriter, size: number): Promise<void> {
  let refused: unknown;
  const outcome = await ctx.prompt({
    kind: 'binary',
    length: size,
    char: '>',
    guardMs: table(ctx).guardMs,
    sink: (chunk) => {
      if (refused) return;
      try {
        writer.write(chunk);
      } catch (err) {
        // The host goes on sending: its bytes are swallowed, the answer is the error.
        refused = err;
      }
    },
  });
  if (outcome.status === 'timeout') throw cme(FileCme.timeout, `${outcome.received} of ${size} bytes`);
  if (outcome.status === 'cancelled') throw plainError('transfer cancelled');
  if (refused) throw fileFailure(refused);
}

/**
 * `+URDFILE: "<name>",<size>,"<data>"`: the data raw between quotes, streamed from the file.
 * SARA-R5 follows the closing quote directly with the final result (`"\r\nOK`).
 */
async function writeData(ctx: CommandContext, prefix: string, name: string, offset: number, size: number): Promise<void> {
  const verbose = ctx.session.verbose;
  ctx.raw(`${verbose ? '\r\n' : ''}${prefix}: ${q(name)},${size},"`);
  for (let at = 0; at < size; at += READ_CHUNK) {
    ctx.raw(files(ctx).read(name, offset + at, Math.min(READ_CHUNK, size - at)));
    // A host that stops reading stops the read here (RTS/CTS), not in the process's memory.
    await ctx.writable();
  }
  ctx.raw(`"${table(ctx).blankLineAfterData || !verbose ? '\r\n' : ''}`);
}

/** The module file system: download to it, read, list, delete (u-blox FS commands). */
export const fileCommands = defineCommands(import.meta.url, [
  {
    name: '+UDWNFILE',
    params: [nameSpec, { name: 'size', type: 'int', min: 1 }, tagSpec],
    async set(ctx, v) {
      const [name, size] = [v.filename as string, v.size as number];
      checkTag(ctx, v.tag);
      // Writing to an existing file appends to it.
      const writer = fs(() => files(ctx).createWriter(name, { append: true }));
      try {
        if (size > files(ctx).freeBytes()) throw cme(FileCme.noSpace, `${size} bytes`);
        await receiveInto(ctx, writer, size);
        fs(() => writer.commit());
      } catch (err) {
        writer.abort();
        throw err;
      }
    },
  },
  {
    name: '+UDWNBLOCK',
    params: [nameSpec, { name: 'offset', type: 'int', min: 0 }, { name: 'size', type: 'int', min: 1 }, { name: 'filesize', type: 'int', min: 1 }, tagSpec],
    async set(ctx, v) {
      const name = v.filename as string;
      const size = v.size as number;
      checkTag(ctx, v.tag);
      const blocks = ctx.module.services.fileBlocks;
      const writer = fs(() => blocks.begin(name, v.offset as number, size, v.filesize as number));
      try {
        await receiveInto(ctx, writer, size);
        fs(() => blocks.blockDone(name));
      } catch (err) {
        // A failed block abandons its transfer: the file stays as it was.
        blocks.abort(name);
        throw err;
      }
    },
  },
  {
    name: '+URDFILE',
    // The tag is accepted as by +UDWNFILE/+ULSTFILE: host libraries send "USER".
    params: [nameSpec, tagSpec],
    async set(ctx, v) {
      checkTag(ctx, v.tag);
      const name = v.filename as string;
      const size = fs(() => files(ctx).size(name));
      await writeData(ctx, '+URDFILE', name, 0, size);
    },
  },
  {
    name: '+URDBLOCK',
    params: [nameSpec, { name: 'offset', type: 'int', min: 0 }, { name: 'size', type: 'int', min: 1 }],
    async set(ctx, v) {
      const name = v.filename as string;
      const total = fs(() => files(ctx).size(name));
      const offset = v.offset as number;
      // <size> in the answer is what was read: less at the end of the file, 0 past it.
      const size = Math.max(0, Math.min(v.size as number, total - offset));
      await writeData(ctx, '+URDBLOCK', name, offset, size);
    },
  },
  {
    name: '+ULSTFILE',
    async set(ctx, _args, raw) {
      const { op } = ctx.validate(raw.slice(0, 1), [{ name: 'op', type: 'int', values: [0, 1, 2], optional: true, default: 0 }]);
      if (op === 2) {
        const v = ctx.validate(raw, [{ name: 'op', type: 'int' }, nameSpec, tagSpec]);
        checkTag(ctx, v.tag);
        ctx.info(`+ULSTFILE: ${fs(() => files(ctx).size(v.filename as string))}`);
        return;
      }
      const v = ctx.validate(raw, [{ name: 'op', type: 'int', optional: true }, tagSpec]);
      checkTag(ctx, v.tag);
      if (op === 1) ctx.info(`+ULSTFILE: ${files(ctx).freeBytes()}`);
      // An empty file system lists nothing after the prefix.
      else ctx.info(`+ULSTFILE: ${files(ctx).list().map((f) => q(f.name)).join(',')}`);
    },
    action(ctx) {
      ctx.info(`+ULSTFILE: ${files(ctx).list().map((f) => q(f.name)).join(',')}`);
    },
    test(ctx) {
      ctx.info('+ULSTFILE: (0-2)');
    },
  },
  {
    name: '+UDELFILE',
    params: [nameSpec, tagSpec],
    set(ctx, v) {
      checkTag(ctx, v.tag);
      fs(() => files(ctx).delete(v.filename as string));
    },
  },
]);
