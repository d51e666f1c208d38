import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';

// The Functions host cannot run here, so host.json is checked statically for what airless relies on.
const HostJson = z.object({
  version: z.literal('2.0'),
  extensionBundle: z.object({
    id: z.literal('Microsoft.Azure.Functions.ExtensionBundle'),
    version: z.string(),
  }),
  extensions: z.object({
    http: z.object({ routePrefix: z.literal('') }),
    durableTask: z.object({
      hubName: z.string().regex(/^[A-Za-z][A-Za-z0-9]{2,44}$/),
      // The default (AnyState) lets a second startNew of a run id restart a running run; with this
      // it fails, and triggerDurableRun answers with the run that won.
      overridableExistingInstanceStates: z.literal('NonRunningStates'),
      storageProvider: z.object({ type: z.literal('AzureStorage'), connectionStringName: z.string() }),
      tracing: z.object({ traceInputsAndOutputs: z.literal(false) }),
    }),
  }),
});

describe('host.json', () => {
  it('routes at the root (the AWS API paths), a valid task hub, running runs never restarted by a start, and no inputs or outputs in traces', () => {
    const parsed = HostJson.safeParse(JSON.parse(readFileSync('host.json', 'utf8')));
    expect(parsed.error?.issues ?? []).toEqual([]);
  });
});
