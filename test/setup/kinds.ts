/**
 * Every test file starts with the built-in connectors composed, as every process does (services/runtime's
 * registry registers their kinds into core's catalog): packages' tests read and write records of those kinds
 * without any package depending on a connector in its shipped code. A vitest setup file, so it runs before the
 * test file's own imports; it lives in the root workspace, outside the layers `pnpm lint` orders.
 */
import '@crosswalk/runtime/registry';
