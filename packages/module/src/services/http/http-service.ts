import { EventEmitter } from 'node:events';
import type { Clock } from '@modemlab/at';
import type { HttpTable } from '../../models/http-table.js';
import { FileSystemError, type FileSystem } from '../files/file-system.js';
import type { Dialer } from '../net/dialer.js';
import { HttpConfigError, HttpProfiles } from './profiles.js';
import { dataBody, fileBody, multipartFileBody, type RequestBody } from './request-body.js';
import { HttpFailure, runRequest, type HttpFailureReason, type HttpMethodKind } from './request.js';

export { HttpConfigError, HttpProfiles, type HttpProfile } from './profiles.js';
export { HttpFailure, type HttpFailureReason, type HttpMethodKind } from './request.js';

/** A request as a dialect hands it over. */
export interface HttpRequestSpec {
  method: HttpMethodKind;
  path: string;
  /** File the response is written to (replaced by each request that gets an answer). */
  resultFile: string;
  /** PUT / POST file: the file to send. */
  file?: string;
  /** POST data: the data to send. */
  data?: string;
  /** MIME type of the body. */
  contentType?: string;
  /** POST file: wrap the file in multipart/form-data with the product's boundary. */
  multipart?: boolean;
}

export interface HttpResultEvent {
  profileId: number;
  method: HttpMethodKind;
  ok: boolean;
}

/** A request refused before it starts: another one runs on the profile. */
export class HttpBusyError extends Error {}

/**
 * The module's HTTP client: profiles, one request per profile at a time, the last error of
 * each profile. A request that was accepted always ends with one 'result' event (unless
 * the module powers off first).
 */
export class HttpService extends EventEmitter<{ result: [HttpResultEvent] }> {
  readonly profiles: HttpProfiles;
  private readonly running = new Map<number, AbortController>();
  private readonly lastErrors = new Map<number, HttpFailureReason>();

  constructor(
    private readonly table: HttpTable,
    private readonly deps: { dialer: Dialer; files: FileSystem; clock: Clock },
  ) {
    super();
    this.profiles = new HttpProfiles(table);
  }

  busy(profileId: number): boolean {
    return this.running.has(profileId);
  }

  /** The reason the profile's last request failed; undefined when it succeeded (or none ran). */
  lastError(profileId: number): HttpFailureReason | undefined {
    this.profiles.get(profileId);
    return this.lastErrors.get(profileId);
  }

  /**
   * Starts a request and returns at once. Throws (changing nothing) when the profile is
   * busy (HttpBusyError) or a file name is empty (HttpConfigError).
   */
  start(profileId: number, spec: HttpRequestSpec): void {
    const profile = this.profiles.get(profileId);
    if (this.running.has(profileId)) throw new HttpBusyError(`HTTP profile ${profileId} has a request in progress`);
    this.checkName(spec.resultFile);
    if (spec.file !== undefined) this.checkName(spec.file);

    const controller = new AbortController();
    this.running.set(profileId, controller);
    const run = async () => {
      const body = this.body(spec);
      await runRequest(
        { ...this.deps, statusLineVersion: this.table.statusLineVersion },
        { profileId, profile, port: this.profiles.effectivePort(profileId), method: spec.method, path: spec.path, resultFile: spec.resultFile, ...(body ? { body } : {}) },
        controller.signal,
      );
    };
    run().then(
      () => this.done(profileId, controller, spec.method),
      (err: unknown) => this.done(profileId, controller, spec.method, err instanceof HttpFailure ? err.reason : 'connect'),
    );
  }

  /** Power-off: requests stop without a result, profiles and errors are forgotten (RAM only). */
  powerOff(): void {
    for (const c of this.running.values()) c.abort();
    this.running.clear();
    this.lastErrors.clear();
    this.profiles.resetAll();
  }

  close(): void {
    for (const c of this.running.values()) c.abort();
    this.running.clear();
  }

  private done(profileId: number, controller: AbortController, method: HttpMethodKind, failure?: HttpFailureReason): void {
    // A request aborted by a power-off reports nothing.
    if (controller.signal.aborted || this.running.get(profileId) !== controller) return;
    this.running.delete(profileId);
    if (failure) this.lastErrors.set(profileId, failure);
    else this.lastErrors.delete(profileId);
    this.emit('result', { profileId, method, ok: !failure });
  }

  private body(spec: HttpRequestSpec): RequestBody | undefined {
    const type = spec.contentType ?? 'application/octet-stream';
    try {
      if (spec.method === 'post-data') return dataBody(spec.data ?? '', type);
      if (spec.method === 'put' || spec.method === 'post-file') {
        const name = spec.file ?? '';
        return spec.multipart ? multipartFileBody(this.deps.files, name, this.table.multipartBoundary) : fileBody(this.deps.files, name, type);
      }
    } catch (err) {
      if (err instanceof FileSystemError) throw new HttpFailure(err.kind === 'not-found' ? 'file-not-found' : 'file-system', err.message);
      throw err;
    }
    return undefined;
  }

  private checkName(name: string): void {
    if (name.length === 0) throw new HttpConfigError('bad-value', 'empty file name');
  }
}
