import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts', 'test/**/*.test.tsx'],
    // The tensor-core kernels' suite needs Mesa's lavapipe: `npm run test:lavapipe` (vitest.lavapipe.config.ts).
    exclude: ['test/lavapipe/**', 'node_modules/**'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // CI has 2 cores; tfjs tests are CPU-heavy, so more workers only thrash.
    maxWorkers: 2,
  },
});
