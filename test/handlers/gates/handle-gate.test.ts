import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FinalTaskState } from '../../../src/compiler/ir.ts';
import type { TriggerRule } from '../../../src/dag/vocabulary.ts';
import type { GateStore } from '../../../src/handlers/gates/gate-store.ts';
import { handleGate } from '../../../src/handlers/gates/handle-gate.ts';
import type { GateEnd, GateWait } from '../../../src/handlers/gates/protocol.ts';
import { hookedStore, latch, RecordingTokens, storeKinds } from './gate-fixtures.ts';

/*
 * The gate core against both stores (in memory; DynamoDB on dynalite over loopback, with the real
 * client), with the interleavings the protocol must survive forced by pausing a call between two
 * store steps. The token sender is a recording double of our own TaskTokenSender interface.
 */
let runs = 0;

for (const kind of storeKinds()) {
  describe(`handleGate on the ${kind.name} store`, () => {
    beforeAll(() => kind.start());
    afterAll(() => kind.stop());

    function setup(store: GateStore = kind.make()) {
      const runKey = `arn:aws:states:eu-west-1:1:execution:m:run-${++runs}`;
      const tokens = new RecordingTokens();
      const deps = { store, tokens };
      const wait = (task: string, upstream: string[], more: Partial<GateWait> = {}, via = store) =>
        handleGate(
          {
            op: 'wait',
            run_key: runKey,
            task_id: task,
            token: `tok-${task}`,
            trigger_rule: 'all_success',
            upstream,
            reads: [],
            slot: null,
            ...more,
          } satisfies GateWait,
          { store: via, tokens },
        );
      const end = (
        task: string,
        state: FinalTaskState,
        downstream: string[],
        more: Partial<GateEnd> = {},
        via = store,
      ) =>
        handleGate(
          {
            op: 'end',
            run_key: runKey,
            task_id: task,
            state,
            output: null,
            downstream,
            release_slot: false,
            ...more,
          } satisfies GateEnd,
          { store: via, tokens },
        );
      const verdictOf = (task: string, token = `tok-${task}`) => tokens.accepted.get(token)?.verdict;
      return { runKey, tokens, wait, end, verdictOf, deps };
    }

    it('a waiter registered before its last upstream ends fires on that end', async () => {
      const g = setup();
      await g.wait('t', ['a', 'b']);
      await g.end('a', 'success', ['t']);
      expect(g.tokens.attempts).toEqual([]);
      await g.end('b', 'success', ['t']);
      expect(g.verdictOf('t')).toBe('run');
      expect(g.tokens.attempts).toHaveLength(1);
    });

    it('a waiter registered after its upstreams ended fires at once', async () => {
      const g = setup();
      await g.end('a', 'success', ['t']);
      await g.end('b', 'success', ['t']);
      expect((await g.wait('t', ['a', 'b'])).sent).toEqual([{ task_id: 't', verdict: 'run' }]);
      expect(g.tokens.attempts).toHaveLength(1);
    });

    it('a task without upstreams runs at once', async () => {
      const g = setup();
      await g.wait('t', []);
      expect(g.verdictOf('t')).toBe('run');
    });

    it('registered while the last upstream ends: each side paused between its write and its read', async () => {
      /** The store as one call sees it: paused after its first step until the latch opens. */
      const pausedAfterFirstStep = (inner: GateStore) => {
        const l = latch();
        let calls = 0;
        const store = hookedStore(inner, {
          after: async () => {
            if (++calls === 1) {
              l.arrive();
              await l.wait;
            }
          },
        });
        return { store, ...l };
      };
      // the end writes, the whole wait runs, the end reads
      {
        const inner = hookedStore(kind.make(), {}); // every call passes here: counts the fires
        const g = setup(inner);
        await g.end('a', 'success', ['t']);
        const paused = pausedAfterFirstStep(inner);
        const ending = g.end('b', 'success', ['t'], {}, paused.store);
        await paused.reached;
        await g.wait('t', ['a', 'b']);
        paused.open();
        await ending;
        expect(g.verdictOf('t')).toBe('run');
        expect(inner.fired).toEqual(['t']);
      }
      // the wait registers, the whole end runs, the wait reads
      {
        const inner = hookedStore(kind.make(), {}); // every call passes here: counts the fires
        const g = setup(inner);
        await g.end('a', 'success', ['t']);
        const paused = pausedAfterFirstStep(inner);
        const waiting = g.wait('t', ['a', 'b'], {}, paused.store);
        await paused.reached;
        await g.end('b', 'success', ['t']);
        paused.open();
        await waiting;
        expect(g.verdictOf('t')).toBe('run');
        expect(inner.fired).toEqual(['t']);
      }
      // both wrote before either read: both see the other, one fire wins
      {
        const inner = hookedStore(kind.make(), {}); // every call passes here: counts the fires
        const g = setup(inner);
        await g.end('a', 'success', ['t']);
        const ender = pausedAfterFirstStep(inner);
        const waiter = pausedAfterFirstStep(inner);
        const both = Promise.all([
          g.end('b', 'success', ['t'], {}, ender.store),
          g.wait('t', ['a', 'b'], {}, waiter.store),
        ]);
        await Promise.all([ender.reached, waiter.reached]);
        ender.open();
        waiter.open();
        await both;
        expect(g.verdictOf('t')).toBe('run');
        expect(inner.fired).toEqual(['t']);
        expect(g.tokens.accepted.size).toBe(1);
      }
    });

    it('a retried wait re-sends the verdict it already set; the settled token is treated as done', async () => {
      const g = setup();
      await g.end('a', 'success', ['t']);
      await g.wait('t', ['a']);
      const again = await g.wait('t', ['a']);
      expect(again.sent).toEqual([{ task_id: 't', verdict: 'run' }]);
      expect(g.tokens.attempts.map((a) => a.token)).toEqual(['tok-t', 'tok-t']);
      expect(g.tokens.accepted.size).toBe(1);
    });

    it('a call that fired but died before sending is completed by its retry (end and wait alike)', async () => {
      const g = setup();
      await g.wait('t', ['a']);
      g.tokens.failNext = 1;
      await expect(g.end('a', 'success', ['t'])).rejects.toThrow('socket hang up');
      expect(g.verdictOf('t')).toBeUndefined();
      await g.end('a', 'success', ['t']);
      expect(g.verdictOf('t')).toBe('run');

      g.tokens.failNext = 1;
      await g.end('c', 'failed', ['u']);
      await expect(g.wait('u', ['c'])).rejects.toThrow('socket hang up');
      // the Task state is retried: a new token gets the verdict set before
      await g.wait('u', ['c'], { token: 'tok-u-2' });
      expect(g.verdictOf('u', 'tok-u-2')).toBe('upstream_failed');
    });

    it('an end delivered twice is a no-op; a different second end is refused', async () => {
      const g = setup();
      await g.wait('t', ['a', 'b'], { trigger_rule: 'all_done' });
      await g.end('a', 'success', ['t'], { output: { x: 1 } });
      await g.end('a', 'success', ['t'], { output: { x: 1 } });
      expect(g.tokens.attempts).toEqual([]);
      await expect(g.end('a', 'failed', ['t'])).rejects.toMatchObject({ name: 'Conflict' });
      await g.end('b', 'failed', ['t']);
      await g.end('b', 'failed', ['t']);
      expect(g.verdictOf('t')).toBe('run');
      expect(g.tokens.attempts).toHaveLength(1);
    });

    it('concurrent ends never double-fire', async () => {
      const store = hookedStore(kind.make(), {
        before: () => new Promise((r) => setImmediate(r)),
      });
      const g = setup(store);
      const ups = ['a', 'b', 'c', 'd', 'e', 'f'];
      await g.wait('t', ups, { trigger_rule: 'one_success' });
      await g.wait('u', ups, { trigger_rule: 'all_success' });
      await Promise.all([
        ...ups.map((u) => g.end(u, 'success', ['t', 'u'])),
        ...ups.map((u) => g.end(u, 'success', ['t', 'u'])),
      ]);
      expect(store.fired.sort()).toEqual(['t', 'u']);
      expect(g.verdictOf('t')).toBe('run');
      expect(g.verdictOf('u')).toBe('run');
    });

    it('a run verdict also waits for the outputs it reads, and carries them', async () => {
      const g = setup();
      await g.wait('t', ['a', 'b'], { trigger_rule: 'one_success', reads: ['b'] });
      await g.end('a', 'success', ['t'], { output: { n: 1 } });
      expect(g.tokens.attempts).toEqual([]);
      await g.end('b', 'failed', ['t'], { output: { path: 's3://x' } });
      expect(g.tokens.accepted.get('tok-t')).toEqual({ verdict: 'run', outputs: { b: { path: 's3://x' } } });
    });

    const early: Array<[TriggerRule, FinalTaskState, string | undefined]> = [
      ['all_success', 'failed', 'upstream_failed'],
      ['all_success', 'upstream_failed', 'upstream_failed'],
      ['all_success', 'success', undefined],
      ['all_failed', 'success', 'skipped'],
      ['all_failed', 'failed', undefined],
      ['all_done', 'failed', undefined],
      ['all_skipped', 'success', 'skipped'],
      ['all_skipped', 'skipped', undefined],
      ['one_success', 'success', 'run'],
      ['one_success', 'failed', undefined],
      ['one_failed', 'failed', 'run'],
      ['one_failed', 'upstream_failed', 'run'],
      ['one_failed', 'success', undefined],
      ['one_done', 'success', 'run'],
      ['one_done', 'failed', 'run'],
      ['one_done', 'skipped', undefined],
      ['none_failed', 'upstream_failed', 'upstream_failed'],
      ['none_failed', 'skipped', undefined],
      ['none_failed_min_one_success', 'failed', 'upstream_failed'],
      ['none_failed_min_one_success', 'success', undefined],
      ['none_skipped', 'skipped', 'skipped'],
      ['none_skipped', 'failed', undefined],
      ['always', 'failed', 'run'],
    ];
    it.each(early)(
      '%s decides on a first upstream %s as soon as it can: %s',
      async (rule, first, verdict) => {
        const g = setup();
        await g.wait('t', ['a', 'b'], { trigger_rule: rule });
        await g.end('a', first, ['t']);
        expect(g.verdictOf('t')).toBe(verdict);
        if (verdict === undefined) {
          await g.end('b', 'success', ['t']);
          expect(g.verdictOf('t')).toBeDefined();
        }
        if (verdict !== 'run' && verdict !== undefined)
          expect(g.tokens.accepted.get('tok-t')!.outputs).toEqual({});
      },
    );

    it('always fires before any upstream reports', async () => {
      const g = setup();
      await g.wait('t', ['a', 'b'], { trigger_rule: 'always' });
      expect(g.verdictOf('t')).toBe('run');
    });

    describe('max_active_tasks slots', () => {
      const slot = (priority_weight: number, order: number) => ({ cap: 2, priority_weight, order });

      it('respect the cap, grant by priority then order, and hand a released slot on once', async () => {
        const g = setup();
        // five ready tasks under one root that has ended
        await g.end('root', 'success', ['p', 'q', 'r', 's', 'v']);
        await g.wait('p', ['root'], { slot: slot(1, 1) });
        await g.wait('q', ['root'], { slot: slot(1, 2) });
        await g.wait('r', ['root'], { slot: slot(5, 3) });
        await g.wait('s', ['root'], { slot: slot(1, 4) });
        await g.wait('v', ['root'], { slot: slot(5, 5) });
        // p and q took both slots before the others were ready
        expect([...g.tokens.accepted.keys()]).toEqual(['tok-p', 'tok-q']);
        await g.end('p', 'success', [], { release_slot: true });
        expect([...g.tokens.accepted.keys()]).toEqual(['tok-p', 'tok-q', 'tok-r']);
        // a repeated release hands nothing more on
        await g.end('p', 'success', [], { release_slot: true });
        expect(g.tokens.accepted.size).toBe(3);
        await g.end('q', 'failed', [], { release_slot: true });
        expect([...g.tokens.accepted.keys()]).toEqual(['tok-p', 'tok-q', 'tok-r', 'tok-v']);
        await g.end('r', 'success', [], { release_slot: true });
        expect([...g.tokens.accepted.keys()]).toEqual(['tok-p', 'tok-q', 'tok-r', 'tok-v', 'tok-s']);
      });

      it('a slot waiter whose rule settles it without running takes no slot', async () => {
        const g = setup();
        await g.end('root', 'success', ['a', 'b']);
        await g.wait('a', ['root'], { slot: slot(1, 1) });
        await g.wait('b', ['root'], { slot: slot(1, 2) });
        await g.end('bad', 'failed', ['c']);
        await g.wait('c', ['bad'], { slot: slot(9, 3) });
        expect(g.verdictOf('c')).toBe('upstream_failed');
        await g.end('ok', 'success', ['d']);
        await g.wait('d', ['ok'], { slot: slot(9, 4) });
        expect(g.verdictOf('d')).toBeUndefined();
        await g.end('a', 'success', [], { release_slot: true });
        expect(g.verdictOf('d')).toBe('run');
      });

      it('a grant whose sender died is sent by the retried release', async () => {
        const g = setup();
        await g.end('root', 'success', ['a', 'b', 'c']);
        await g.wait('a', ['root'], { slot: slot(1, 1) });
        await g.wait('b', ['root'], { slot: slot(1, 2) });
        await g.wait('c', ['root'], { slot: slot(1, 3) });
        g.tokens.failNext = 1;
        await expect(g.end('a', 'success', [], { release_slot: true })).rejects.toThrow('socket hang up');
        await g.end('a', 'success', [], { release_slot: true });
        expect(g.verdictOf('c')).toBe('run');
      });

      it('concurrent releases and requests never exceed the cap', async () => {
        const store = hookedStore(kind.make(), { before: () => new Promise((r) => setImmediate(r)) });
        const g = setup(store);
        const tasks = Array.from({ length: 8 }, (_, i) => `w${i}`);
        await g.end('root', 'success', tasks);
        let active = 0;
        let peak = 0;
        g.tokens.onAccept = () => {
          active++;
          peak = Math.max(peak, active);
        };
        const run = async (t: string, i: number) => {
          await g.wait(t, ['root'], { slot: { cap: 3, priority_weight: i % 3, order: i } });
        };
        await Promise.all(tasks.map(run));
        const ended = new Set<string>();
        for (let round = 0; g.tokens.accepted.size > ended.size && round < 10; round++) {
          const holders = [...g.tokens.accepted.keys()].map((k) => k.slice(4)).filter((t) => !ended.has(t));
          await Promise.all(
            holders.map(async (t) => {
              ended.add(t);
              active--;
              await g.end(t, 'success', [], { release_slot: true });
            }),
          );
        }
        expect(g.tokens.accepted.size).toBe(tasks.length);
        expect(peak).toBe(3);
      });
    });

    it('refuses what is not a gate invocation', async () => {
      const g = setup();
      await expect(handleGate({ op: 'wait' }, g.deps)).rejects.toMatchObject({ name: 'BadInput' });
      await expect(g.wait('t', ['a'], { reads: ['not a task id'] })).rejects.toMatchObject({
        name: 'BadInput',
      });
      await expect(g.wait('t', ['a'], { trigger_rule: 'sometimes' })).rejects.toMatchObject({
        name: 'BadInput',
      });
    });
  });
}
