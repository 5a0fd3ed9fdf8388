/** Jest runs the TypeScript tests as ES modules (the toolkit packages are ESM-only). */
export default {
  testEnvironment: 'node',
  roots: ['<rootDir>/__tests__'],
  testMatch: ['**/*.test.ts'],
  extensionsToTreatAsEsm: ['.ts'],
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
  transform: {
    '^.+\\.ts$': ['ts-jest', { useESM: true, tsconfig: 'tsconfig.test.json' }]
  },
  reporters: ['default', '<rootDir>/scripts/jest-summary-reporter.js'],
  testTimeout: 60000,
  // The suite mostly waits on loopback HTTP and the action's (sped-up) schedules, not on the CPU:
  // four workers on two cores halve its wall time.
  maxWorkers: 4
}
