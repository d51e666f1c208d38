import js from '@eslint/js';
import tseslint from 'typescript-eslint';

/** Forbids imports matching `group` (gitignore patterns) in `files`. */
const restrictImports = (files, group, message) => ({
  files,
  rules: { 'no-restricted-imports': ['error', { patterns: [{ group, message }] }] },
});

export default tseslint.config(
  {
    ignores: [
      'node_modules/',
      'dist/',
      '.serverless/',
      'coverage/',
      'statemachines/',
      'test/golden/',
      '.airless/',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
    },
  },
  // Boundaries of ARCHITECTURE.md: the language imports nothing else of the project; typed
  // clients only the language and the error vocabulary.
  restrictImports(['src/dag/*.ts'], ['../*'], 'src/dag imports nothing else of the project'),
  restrictImports(['src/dag/*/*.ts'], ['../../*'], 'src/dag imports nothing else of the project'),
  restrictImports(
    ['src/clients/*.ts'],
    ['../*', '!../dag', '!../errors.ts'],
    'src/clients imports only src/dag and src/errors.ts',
  ),
  {
    files: ['**/*.js', '**/*.cjs'],
    languageOptions: { globals: { process: 'readonly', console: 'readonly' } },
  },
  {
    // CommonJS on purpose: serverless v3 require()s its plugins and ${file(...)} scripts.
    files: ['**/*.cjs'],
    languageOptions: {
      sourceType: 'commonjs',
      globals: { module: 'writable', require: 'readonly', __dirname: 'readonly' },
    },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
);
