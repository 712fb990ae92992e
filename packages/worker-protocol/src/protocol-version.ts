/**
 * The worker protocol version: the API refuses a worker whose hello names another (the worker then exits 2), so a
 * change to the worker operations that an old worker could misread bumps it. Both sides read it from here.
 */
export const WORKER_PROTOCOL_VERSION = 1;
