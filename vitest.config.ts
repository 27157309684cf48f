import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'alert-router/**/*.test.ts', 'test/**/*.test.ts', 'bench/**/*.test.ts'],
    // Real Prometheus, promtool and Alertmanager run in the end-to-end tests: give them time, and
    // keep to the two cores of the machines this runs on.
    testTimeout: 120_000,
    hookTimeout: 120_000,
    pool: 'forks',
    maxWorkers: 2,
  },
});
