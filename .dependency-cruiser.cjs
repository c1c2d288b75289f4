/**
 * The layering of src/ (README, Layout), checked by `npm run lint`: no import cycle (type-only imports
 * included), and a module imports only from its own layer and the layers before it. src/index.ts, the public
 * API, comes last, so nothing inside the package may import it.
 */
const LAYERS = [
  'src/errors.ts',
  'src/config.ts',
  'src/engine/',
  'src/data/',
  'src/model/',
  'src/train/',
  'src/explain/',
  'src/eval/',
  'src/search/',
  'src/serve/',
  'src/cli/',
  'src/index.ts',
];

const pattern = (layers) => `^(${layers.map((l) => l.replace(/\./g, '\\.') + (l.endsWith('/') ? '' : '$')).join('|')})`;

module.exports = {
  forbidden: [
    {
      name: 'no-cycle',
      comment: 'An import cycle: break it by moving the shared part down or passing it in from the caller.',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
    ...LAYERS.slice(0, -1).map((layer, i) => ({
      name: `layer-${layer.replace(/^src\/|\/$|\.ts$/g, '')}`,
      comment: `Layer breach: ${layer} sits below ${LAYERS.slice(i + 1).join(', ')} (README, Layout). Pass what it needs in from the caller or move it down.`,
      severity: 'error',
      from: { path: pattern([layer]) },
      to: { path: pattern(LAYERS.slice(i + 1)) },
    })),
  ],
  options: {
    includeOnly: '^src/',
    // Type-only imports are dependencies too (`import type` cycles and breaches count).
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
  },
};
