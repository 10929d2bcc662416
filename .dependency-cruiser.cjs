/**
 * The direction of dependencies between the workspace's packages, checked by `pnpm lint`:
 *
 *   services/*  ->  connectors/*  ->  packages/*  ->  packages/core
 *
 * An arrow may skip layers (a service may import core) but never point outward, and nothing may form a cycle,
 * within a package or across packages (madge did not follow the workspace packages' symlinks). The direction
 * rules read shipped code (`src/`): tests may reach up to what they exercise (packages/derive's tests join
 * records the real connectors produce). Imports are resolved through node_modules to the real files, so
 * `@crosswalk/x` counts as packages/x.
 */
const SRC = '^(packages|connectors|services)/[^/]+/src/';

module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      severity: 'error',
      comment: 'A cycle between modules or packages: one of the two must not know the other.',
      from: { path: '^(packages|connectors|services)/' },
      to: { circular: true },
    },
    {
      name: 'core-is-the-leaf',
      severity: 'error',
      comment: 'packages/core imports nothing of ours.',
      from: { path: '^packages/core/src/' },
      to: { path: '^(packages|connectors|services)/', pathNot: '^packages/core/' },
    },
    {
      name: 'packages-not-to-connectors-or-services',
      severity: 'error',
      comment: 'packages/* sit below connectors and services.',
      from: { path: '^packages/[^/]+/src/' },
      to: { path: '^(connectors|services)/' },
    },
    {
      name: 'connectors-not-to-services',
      severity: 'error',
      comment: 'Connectors sit below the services that run them.',
      from: { path: '^connectors/[^/]+/src/' },
      to: { path: '^services/' },
    },
    {
      name: 'connectors-not-to-other-connectors',
      severity: 'error',
      comment: 'A connector is one folder: what two connectors share belongs in the connector kit.',
      from: { path: '^connectors/([^/]+)/src/' },
      to: { path: '^connectors/', pathNot: '^connectors/$1/' },
    },
    {
      name: 'no-test-code-in-src',
      severity: 'error',
      comment: 'Shipped code must not import test helpers or fakes.',
      from: { path: SRC },
      to: { path: '^(packages|connectors|services)/[^/]+/test/' },
    },
    {
      name: 'not-to-unresolvable',
      severity: 'error',
      comment: 'An import that resolves to nothing.',
      from: {},
      to: { couldNotResolve: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '(^|/)(node_modules|dist)/' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default', 'types'],
      // .tsx: the console's React components (services/console/src).
      extensions: ['.ts', '.tsx', '.js', '.json'],
    },
    // Workspace packages are symlinks in node_modules; follow them to the real paths so the layers show.
    preserveSymlinks: false,
  },
};
