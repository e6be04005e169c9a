/**
 * A numbered schema step. `sql` runs on both dialects; where they differ a migration gives
 * `{ sqlite, postgres }`. Numbers: 1-99 core (accounts, devices, module requests),
 * 100-199 key services (PSK, E2E, ZTP). A file `store/migrations/NNN-name.ts` exports
 * `migration`; the runner finds the files itself, so adding one touches no shared file.
 */
export interface Migration {
  id: number;
  name: string;
  sql: string[] | { sqlite: string[]; postgres: string[] };
}
