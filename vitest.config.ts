import { defineConfig } from 'vitest/config';

// Two projects: `node` runs unit, contract and integration suites in-process (fake-indexeddb,
// in-memory parts); `e2e` drives Debian's Chromium against the built app served by our server.
export default defineConfig({
  test: {
    reporters: ['default', './test/summaryReporter.ts'],
    projects: [
      {
        test: {
          name: 'node',
          include: ['test/unit/**/*.test.ts', 'test/contracts/**/*.test.ts', 'test/integration/**/*.test.ts'],
          environment: 'node',
          testTimeout: 30_000,
        },
      },
      {
        test: {
          name: 'e2e',
          include: ['test/e2e/**/*.e2e.test.ts'],
          environment: 'node',
          testTimeout: 120_000,
          hookTimeout: 120_000,
          // One Chromium at a time: the machine has 2 cores, and parallel browsers make timings flaky.
          fileParallelism: false,
        },
      },
    ],
  },
});
