import { EventEmitter } from 'node:events';
import type { Clock, TimerHandle } from '@modemlab/at';
import type { NvmStore } from '../nvm/store.js';
import type { FileSystem } from './files/file-system.js';

/**
 * The lab's firmware image format (decision: real packages are signed deltas nobody can
 * make here): a file in the module's file system whose first line is
 * `MODEMLAB-FIRMWARE <revision> <application version>` (e.g. `MODEMLAB-FIRMWARE 03.16
 * 03.16,A00.02`); the rest of the file is payload and is not looked at.
 */
export const FIRMWARE_MAGIC = 'MODEMLAB-FIRMWARE';
const HEADER = /^MODEMLAB-FIRMWARE ([0-9A-Za-z._-]{1,32}) ([0-9A-Za-z.,_-]{1,48})\r?\n/;

export interface FirmwareVersion {
  revision: string;
  appVersion: string;
}

interface FirmwareNvm {
  installed?: FirmwareVersion;
  /** Installed at the last boot, to report once (+UFOTASTAT / +UUFWINSTALL). */
  justInstalled?: boolean;
  fotaUrcs: boolean;
  installUrcs: boolean;
}

export interface FirmwareEvents {
  /** After a boot that installed an image. */
  installed: [FirmwareVersion];
  /**
   * A FOTA download's progress, as +UFOTASTAT numbers it (ubxlib's reading): event 1 start
   * (0,0), event 0 progress (1,percent), event 2 complete (2,100).
   */
  download: [{ event: 0 | 1 | 2; param1: number; param2: number }];
}

/** Why the lab's FOTA push was refused: not an image (no lab header), one already downloading, no room in the file system. */
export class FotaPushError extends Error {
  constructor(readonly kind: 'not-an-image' | 'busy' | 'no-space' | 'bad-name') {
    super(kind);
  }
}

/** A pushed image arrives in FOTA_STEPS steps of FOTA_STEP_MS (module clock) each (decision: a lab pace, not a radio's). */
export const FOTA_STEPS = 4;
export const FOTA_STEP_MS = 1000;

/** Firmware identity and updates: the version the module reports and the install of an image found in its file system. */
export class Firmware extends EventEmitter<FirmwareEvents> {
  constructor(
    private readonly nvm: NvmStore,
    private readonly files: FileSystem,
    private readonly factory: FirmwareVersion,
    private readonly clock?: Clock,
  ) {
    super();
  }

  private downloading?: TimerHandle;

  /**
   * The operator's FOTA server pushes an image (the lab stands for it: `modemlab fota`,
   * tests): +UFOTASTAT start, progress in FOTA_STEPS steps, then the image lands in the file
   * system as `name` and the download completes; the host installs it with +UFWINSTALL. A
   * power-off drops a download in progress (nothing lands).
   */
  push(name: string, data: Buffer): void {
    if (!/^[^"\/]{1,248}$/.test(name)) throw new FotaPushError('bad-name');
    if (!HEADER.test(data.subarray(0, 128).toString('latin1'))) throw new FotaPushError('not-an-image');
    if (this.downloading || !this.clock) throw new FotaPushError('busy');
    if (data.length > this.files.freeBytes() + (this.files.exists(name) ? this.files.size(name) : 0)) throw new FotaPushError('no-space');
    const clock = this.clock;
    this.emit('download', { event: 1, param1: 0, param2: 0 });
    const step = (n: number): void => {
      this.downloading = clock.setTimeout(() => {
        const percent = Math.round((100 * n) / FOTA_STEPS);
        this.emit('download', { event: 0, param1: 1, param2: percent });
        if (n < FOTA_STEPS) return step(n + 1);
        this.downloading = undefined;
        this.files.write(name, data);
        this.emit('download', { event: 2, param1: 2, param2: 100 });
      }, FOTA_STEP_MS);
    };
    step(1);
  }

  /** Power-off: a download in progress is lost. */
  powerOff(): void {
    this.downloading?.cancel();
    this.downloading = undefined;
  }

  /** The running firmware's version (+CGMR, ATI9). */
  get version(): FirmwareVersion {
    return this.stored().installed ?? this.factory;
  }

  get fotaUrcs(): boolean {
    return this.stored().fotaUrcs;
  }

  set fotaUrcs(on: boolean) {
    this.change((s) => (s.fotaUrcs = on));
  }

  get installUrcs(): boolean {
    return this.stored().installUrcs;
  }

  set installUrcs(on: boolean) {
    this.change((s) => (s.installUrcs = on));
  }

  /** The image a +UFWINSTALL would install: the first file (by name) with the lab's header. */
  findImage(): { name: string; version: FirmwareVersion } | undefined {
    for (const { name } of [...this.files.list()].sort((a, b) => a.name.localeCompare(b.name))) {
      const head = this.files.read(name, 0, 128).toString('latin1');
      const m = HEADER.exec(head);
      if (m) return { name, version: { revision: m[1]!, appVersion: m[2]! } };
    }
    return undefined;
  }

  /**
   * Installs the image: the new version runs from the next boot, which the caller starts
   * (the module reboots). The image file is consumed. Undefined when there is no image.
   */
  install(): FirmwareVersion | undefined {
    const image = this.findImage();
    if (!image) return undefined;
    this.files.delete(image.name);
    this.change((s) => {
      s.installed = image.version;
      s.justInstalled = true;
    });
    return image.version;
  }

  /** At boot: announces an install done before it, once. */
  powerOn(): void {
    if (!this.stored().justInstalled) return;
    this.change((s) => (s.justInstalled = false));
    this.emit('installed', this.version);
  }

  private change(fn: (s: FirmwareNvm) => void): void {
    this.nvm.update<FirmwareNvm>('firmware', { fotaUrcs: false, installUrcs: false }, fn);
  }

  private stored(): FirmwareNvm {
    return { fotaUrcs: false, installUrcs: false, ...this.nvm.read<Partial<FirmwareNvm>>('firmware', {}) };
  }
}
