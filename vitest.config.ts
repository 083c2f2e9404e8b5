import { defineConfig } from 'vitest/config'

// One run over every workspace: colocated unit tests, adapter conformance, and tests/integration.
// The `development` export condition makes workspace packages resolve to their TypeScript sources,
// so tests never depend on a stale dist/.
export default defineConfig({
  resolve: { conditions: ['development'] },
  ssr: { resolve: { conditions: ['development'] } },
  test: {
    include: ['packages/*/src/**/*.test.ts', 'apps/*/src/**/*.test.ts', 'tools/*/src/**/*.test.ts', 'tests/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    pool: 'forks',
    reporters: ['default', './tests/harness/summary-reporter.ts'],
  },
})
