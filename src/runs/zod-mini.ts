import { config, locales } from 'zod/mini';

/**
 * zod's tree-shakable API (`import * as z from './zod-mini.ts'`), for the schemas the run Lambdas
 * load at cold start: classic `zod` costs ~190 KB and ~20 ms to import (bench/handlers.ts). Classic
 * zod sets English messages on import; zod/mini does not, so set them here for the same error text.
 */
config(locales.en());

export * from 'zod/mini';
