import type { FileSystem } from '../files/file-system.js';

/** What a PUT or POST sends: its length up front and its bytes in chunks. */
export interface RequestBody {
  length: number;
  contentType: string;
  chunks(): Iterable<Buffer>;
}

/** Files are sent in pieces of this size, never read whole into memory. */
const CHUNK = 16 * 1024;

function* fileChunks(files: FileSystem, name: string, length: number): Iterable<Buffer> {
  for (let offset = 0; offset < length; offset += CHUNK) yield files.read(name, offset, Math.min(CHUNK, length - offset));
}

/** A file from the module's file system, as is. Throws FileSystemError('not-found'). */
export function fileBody(files: FileSystem, name: string, contentType: string): RequestBody {
  const length = files.size(name);
  return { length, contentType, chunks: () => fileChunks(files, name, length) };
}

/**
 * A file wrapped in multipart/form-data, as the u-blox manuals print it for POST with
 * content type 3: one part named "file_post" carrying the file name, its length and
 * application/octet-stream, then the closing boundary and an empty line.
 */
export function multipartFileBody(files: FileSystem, name: string, boundary: string): RequestBody {
  const length = files.size(name);
  const head = Buffer.from(
    `--${boundary}\r\nContent-Disposition: form-data; name="file_post"; filename="${name}"\r\nContent-Length: ${length}\r\nContent-Type: application/octet-stream\r\n\r\n`,
    'latin1',
  );
  const tail = Buffer.from(`\r\n--${boundary}--\r\n\r\n`, 'latin1');
  return {
    length: head.length + length + tail.length,
    contentType: `multipart/form-data; boundary=${boundary}`,
    *chunks() {
      yield head;
      yield* fileChunks(files, name, length);
      yield tail;
    },
  };
}

export function dataBody(data: string, contentType: string): RequestBody {
  const bytes = Buffer.from(data, 'latin1');
  return { length: bytes.length, contentType, chunks: () => [bytes] };
}
