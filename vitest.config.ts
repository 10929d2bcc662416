import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: [
      'packages/*/test/**/*.test.ts',
      'connectors/*/test/**/*.test.ts',
      'services/*/test/**/*.test.ts',
      'test/**/*.test.ts',
    ],
    // The built-in connectors' kinds, registered as every process registers them (test/setup/kinds.ts).
    setupFiles: ['test/setup/kinds.ts'],
    // Integration suites talk to real Redis and Ceph RGW; give them room, but never hide a hang.
    testTimeout: 30_000,
    hookTimeout: 60_000,
    reporters: ['verbose'],
  },
});
