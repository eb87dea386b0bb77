import { defineConfig } from 'vitest/config';

const PACKAGES = ['core', 'store-fs', 'store-s3', 'client'];

/**
 * Tests resolve workspace packages to their TypeScript sources, so no build is needed first.
 * `module` is left out: with it, packages such as the AWS SDK resolve to builds whose
 * extensionless imports Node cannot load.
 */
const SOURCE_CONDITIONS = ['@acquire/source', 'import', 'node', 'default'];

export default defineConfig({
  resolve: { conditions: SOURCE_CONDITIONS },
  ssr: { resolve: { conditions: SOURCE_CONDITIONS, externalConditions: SOURCE_CONDITIONS } },
  test: {
    // The AWS SDK warns once per process that its 2027 releases will need Node 22; the lockfile
    // pins releases that run on Node 20, so the warning only clutters the test output.
    env: { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
    testTimeout: 60_000,
    hookTimeout: 60_000,
    projects: PACKAGES.map((name) => ({
      extends: true,
      test: {
        name,
        root: `packages/${name}`,
        include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
      },
    })),
  },
});
