// Native ESM jest: TypeScript is stripped by swc, imports keep their ".js" suffix in source
// and are mapped back to the ".ts" files here.
export default {
  testEnvironment: 'node',
  extensionsToTreatAsEsm: ['.ts'],
  transform: {
    '^.+\\.ts$': [
      '@swc/jest',
      { jsc: { target: 'es2022', parser: { syntax: 'typescript' } }, module: { type: 'es6' } },
    ],
  },
  moduleNameMapper: {
    '^@junction/shared$': '<rootDir>/shared/src/index.ts',
    '^@junction/shared/contract$': '<rootDir>/shared/src/contract/index.ts',
    '^(\\.{1,2}/.*)\\.js$': '$1',
  },
  roots: ['<rootDir>/shared/src', '<rootDir>/proxy/src', '<rootDir>/operator/src', '<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  // The image test builds an image (minutes); it runs with `make image-test` (JUNCTION_IMAGE_TEST=1).
  testPathIgnorePatterns: ['/node_modules/', ...(process.env.JUNCTION_IMAGE_TEST ? [] : ['/test/image/'])],
  testTimeout: 30000,
  reporters: ['default', '<rootDir>/test/summary-reporter.js'],
};
