import { defineConfig } from 'vitest/config';

// One project per kind of test, so `vitest run --project unit` runs the fast ones alone.
// Integration, contract and end-to-end tests start real emulators (DynamoDB Local, fauxqs, the library
// sandbox) as child processes; they run in forks so a crashed worker cannot leave a server behind.
export default defineConfig({
  test: {
    pool: 'forks',
    // Fails the run if any emulator process outlives it (test/support/global-setup.ts).
    globalSetup: ['test/support/global-setup.ts'],
    // The functions' JSON log lines go to .local/test-logs/functions.jsonl, not into the report.
    setupFiles: ['test/support/quiet-logs.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    projects: [
      { extends: true, test: { name: 'unit', include: ['test/unit/**/*.test.ts'] } },
      {
        extends: true,
        test: { name: 'contract', include: ['test/contract/**/*.test.ts', 'test/sandbox/**/*.test.ts'] },
      },
      { extends: true, test: { name: 'integration', include: ['test/integration/**/*.test.ts'] } },
      { extends: true, test: { name: 'infra', include: ['test/infra/**/*.test.ts'] } },
      { extends: true, test: { name: 'e2e', include: ['test/e2e/**/*.test.ts'] } },
    ],
  },
});
