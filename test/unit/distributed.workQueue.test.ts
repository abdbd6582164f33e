// The bounded, fair queue in front of the query worker (issue #6): a tab's own queries and the
// fragments it runs for peers never starve each other, peers take turns, and the bounds hold.
import { describe, expect, it } from 'vitest';
import { isFragmentError } from '../../src/query/distributed/FragmentError.ts';
import { WorkQueue } from '../../src/query/distributed/WorkQueue.ts';

/** A task that runs until released, recording when it started. */
function task(log: string[], name: string) {
  let release!: () => void;
  const done = new Promise<void>((r) => (release = r));
  return {
    run: async () => {
      log.push(name);
      await done;
      return name;
    },
    release,
  };
}

describe('WorkQueue', () => {
  it("a flood of peers' fragments never blocks this tab's own query, and the reverse", async () => {
    const tick = () => new Promise((r) => setTimeout(r, 0)); // tasks start on a microtask
    const q = new WorkQueue({ maxRunning: 3, maxRunningPerClass: 2, maxQueuedPerClass: 64 });
    const log: string[] = [];
    const remote = Array.from({ length: 10 }, (_, i) => task(log, `r${i}`));
    const running = remote.map((t, i) => q.run('remote', `peer-${i % 3}`, t.run));
    await tick();
    expect(q.stats.running.remote).toBe(2);
    expect(q.stats.queued.remote).toBe(8);
    const mine = task(log, 'local');
    const p = q.run('local', 'self', mine.run);
    await tick();
    expect(log).toContain('local'); // at once: the remote class may not take the last slot
    mine.release();
    await expect(p).resolves.toBe('local');
    for (const t of remote) t.release();
    await Promise.all(running);

    // The reverse: this tab's own queries leave a slot for a peer's fragment.
    const own = Array.from({ length: 5 }, (_, i) => task(log, `l${i}`));
    const ownRunning = own.map((t) => q.run('local', 'self', t.run));
    await tick();
    expect(q.stats.running.local).toBe(2);
    const peer = task(log, 'peer');
    const pp = q.run('remote', 'peer-x', peer.run);
    await tick();
    expect(log.at(-1)).toBe('peer');
    peer.release();
    for (const t of own) t.release();
    await Promise.all([...ownRunning, pp]);
    expect(q.stats.running).toEqual({ local: 0, remote: 0 });
  });

  it('peers take turns (round-robin by lane), so one busy coordinator cannot starve another', async () => {
    const q = new WorkQueue({ maxRunning: 2, maxRunningPerClass: 1, maxQueuedPerClass: 64 });
    const log: string[] = [];
    const tasks = [
      ...Array.from({ length: 4 }, (_, i) => ({ lane: 'a', t: task(log, `a${i}`) })),
      ...Array.from({ length: 2 }, (_, i) => ({ lane: 'b', t: task(log, `b${i}`) })),
    ];
    const all = tasks.map(({ lane, t }) => q.run('remote', lane, t.run));
    for (const { t } of tasks) {
      t.release();
      // Let the queue start the next task (a settled task frees its slot on a microtask).
      await new Promise((r) => setTimeout(r, 0));
    }
    await Promise.all(all);
    expect(log.slice(0, 4)).toEqual(['a0', 'b0', 'a1', 'b1']);
  });

  it('bounded: past maxQueuedPerClass a task is refused with BUSY; aborting a waiting task frees its place', async () => {
    const q = new WorkQueue({ maxRunning: 2, maxRunningPerClass: 1, maxQueuedPerClass: 2 });
    const log: string[] = [];
    const blocker = task(log, 'run');
    const running = q.run('remote', 'p', blocker.run);
    const ctl = new AbortController();
    const waiting = q.run('remote', 'p', task(log, 'w1').run, ctl.signal);
    const waiting2 = q.run('remote', 'p', task(log, 'w2').run);
    const refused = await q.run('remote', 'p', task(log, 'x').run).then(
      () => null,
      (e: unknown) => e,
    );
    expect(isFragmentError(refused) && refused.code).toBe('BUSY');
    ctl.abort(new Error('stop'));
    await expect(waiting).rejects.toThrow('stop');
    expect(q.stats.queued.remote).toBe(1);
    q.dropLane('p', new Error('coordinator left'));
    await expect(waiting2).rejects.toThrow('coordinator left');
    blocker.release();
    await running;
    expect(log).toEqual(['run']);
  });

  it('a task that throws synchronously rejects and frees its slot', async () => {
    const q = new WorkQueue();
    await expect(
      q.run('local', 'self', () => {
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    expect(q.stats.running.local).toBe(0);
    await expect(q.run('local', 'self', () => Promise.resolve(1))).resolves.toBe(1);
  });
});
