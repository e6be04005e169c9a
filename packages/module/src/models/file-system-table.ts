/** What a product's module file system (+UDWNFILE and friends) holds and accepts. */
export interface FileSystemTable {
  /** Bytes of file data the user area holds (sum of file sizes; names are not counted). */
  quotaBytes: number;
  /** Longest file name (ubxlib U_CELL_FILE_NAME_MAX_LENGTH: 248 on SARA-R5). */
  maxNameLength: number;
  /** Files the user area holds at once ("FFS maximum number of files exceeded" beyond). */
  maxFiles: number;
  /** Silence after which a +UDWNFILE / +UDWNBLOCK transfer is aborted (FFS TIMEOUT). */
  guardMs: number;
  /** The <tag>s of +UDWNFILE / +ULSTFILE / +UDELFILE the product has; the first is the default. */
  tags: string[];
  /**
   * +URDFILE / +URDBLOCK end their data with `"` then the final result: SARA-R5 writes
   * `"\r\nOK`, LARA-R6 adds a blank line (`"\r\n\r\nOK`) (shared/spec/notes/at-commands.md §C).
   */
  blankLineAfterData: boolean;
}

export const saraR5FileSystem: FileSystemTable = {
  // "A few MB" (issue 4): enough for the 1 MB HTTP body of the examples, and then some.
  quotaBytes: 8 * 1024 * 1024,
  maxNameLength: 248,
  maxFiles: 256,
  guardMs: 20_000,
  tags: ['USER'],
  blankLineAfterData: false,
};

export const saraR4FileSystem: FileSystemTable = {
  ...saraR5FileSystem,
  quotaBytes: 2 * 1024 * 1024,
  // SARA-R4: "no data for 30 s" over the UART (notes §C).
  guardMs: 30_000,
};

/** Products whose dialect has no file-system commands: the shared service exists but holds nothing. */
export const noUserFileSystem: FileSystemTable = {
  quotaBytes: 0,
  maxNameLength: 248,
  maxFiles: 0,
  guardMs: 20_000,
  tags: ['USER'],
  blankLineAfterData: false,
};
