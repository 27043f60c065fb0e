import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['tests/**/*.test.ts'],
    // The JSON report lets .ci/run print a plain 'N passed, N failed' line.
    reporters: ['default', ['json', { outputFile: 'test-output/vitest.json' }]],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // Tests that spawn engines or worker pools are heavy on a 2-core machine: cap parallel files.
    maxWorkers: 2,
    minWorkers: 1,
  },
});
