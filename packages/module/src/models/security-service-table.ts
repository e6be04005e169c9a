/**
 * The u-blox IoT Security-as-a-Service link per product (seed 001 §4.2-4.4, notes
 * security-service.md §1.3): how often the host may force a heartbeat (+USECCONN), how often
 * the module sends one by itself, and how it retries a failed exchange. Products without the
 * service have no row (their dialect has no +USEC* seal/heartbeat commands).
 */
export interface SecurityServiceTable {
  /**
   * +USECCONN within this long of the last heartbeat sent answers an error without contacting
   * the cloud (seed 001 §4.4.1.1: 5 minutes on SARA-R4; §4.4.1.2: 24 hours on SARA-R5).
   */
  heartbeatMinIntervalMs: number;
  /** Period of the automatic heartbeat when the cloud names none (the brief's 24 h). */
  heartbeatPeriodMs: number;
  /** A failed bootstrap, seal or heartbeat is tried again this long after (module clock). */
  retryMs: number;
  /** One exchange with the cloud gives up after this long (ubxlib's 150 s transaction limit). */
  exchangeTimeoutMs: number;
  /**
   * After power-on the SEC subsystem is still starting: +USECDEVINFO and +USECCONN answer
   * "SEC busy" for this long (notes security-service.md §1.1: "Freshly booted modules may
   * answer +CME ERROR: SEC busy"; the duration is ours, §1.2 [D]).
   */
  startupBusyMs: number;
  /**
   * What waits while a heartbeat exchange runs (notes security-service.md §1.3; ubxlib allows
   * 150 s for it): 'status-read' — only +USECDEVINFO? (seed 001 §4.2, the SARA-R4 behaviour);
   * 'all-commands' — SARA-R5 blocks its AT interface for the whole heartbeat cycle: every
   * command line that arrives meanwhile is answered once the heartbeat is over.
   */
  heartbeatBlocks: 'status-read' | 'all-commands';
}

const DAY_MS = 86_400_000;

export const saraR4SecurityService: SecurityServiceTable = {
  heartbeatMinIntervalMs: 300_000,
  heartbeatPeriodMs: DAY_MS,
  retryMs: 60_000,
  exchangeTimeoutMs: 150_000,
  startupBusyMs: 1_000,
  heartbeatBlocks: 'status-read',
};

export const saraR5SecurityService: SecurityServiceTable = {
  heartbeatMinIntervalMs: DAY_MS,
  heartbeatPeriodMs: DAY_MS,
  retryMs: 60_000,
  exchangeTimeoutMs: 150_000,
  startupBusyMs: 1_000,
  heartbeatBlocks: 'all-commands',
};
