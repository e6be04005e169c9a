/** The module file system's size (the lab's choice: a few MB, enough for a 1 MB body and more). */
export interface FileTable {
  quotaBytes: number;
}

export const saraFiles: FileTable = { quotaBytes: 4 * 1024 * 1024 };
