import { defineConfig } from 'vitest/config';

// test/lavapipe: the tensor-core kernels on Mesa's lavapipe (bench/lavapipe.sh), run by `npm run test:lavapipe`
// under .lavapipe/run; the default suite (vitest.config.ts) leaves them out, since they need that driver.
export default defineConfig({
  test: {
    include: ['test/lavapipe/**/*.test.ts'],
    testTimeout: 300_000,
    hookTimeout: 120_000,
    maxWorkers: 1,
  },
});
