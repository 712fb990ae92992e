/**
 * The pool draw is exactly uniform among a user's candidates (src/modules/tasks/task-pools.ts): shown by
 * enumerating the injected random numbers over a grid and counting what each one draws, on a small partition
 * (count and offset) and on a large one (slot tries, then count and offset when every try misses). The pool rows
 * are written directly (the draw reads only the pool and the user's history), on their own language.
 */
import { expect } from "chai";
import crypto from "node:crypto";
import type { DataSource } from "typeorm";
import { startTestServer, type TestServer } from "../helpers/server.js";
import { TaskPools, type ReviewCandidate } from "../../src/modules/tasks/task-pools.js";

describe("task pool draw: exactly uniform among the candidates", function () {
  this.timeout(60_000);
  let server: TestServer;
  let ds: DataSource;
  let pools: TaskPools;
  const user = crypto.randomUUID();
  const other = crypto.randomUUID();

  before(async () => {
    server = await startTestServer({ LOCAL_WORKER: "false" });
    ds = server.chorus.app.ds;
    pools = server.chorus.app.tasks.pools;
  });
  after(async () => {
    await server?.stop();
  });

  /** Prompts awaiting review on `lang`, one per slot given; `own` of them written by the drawing user. */
  async function prompts(lang: string, slots: number[], own: Set<number> = new Set()): Promise<Map<number, string>> {
    const bySlot = new Map<number, string>();
    for (const slot of slots) {
      const id = crypto.randomUUID();
      bySlot.set(slot, id);
      await ds.query(
        `INSERT INTO task_pool_review (message_id, message_tree_id, lang, role, is_root, user_id, review_count, slot)
         VALUES ($1, $2, $3, 'prompter', true, $4, 0, $5)`,
        [id, crypto.randomUUID(), lang, own.has(slot) ? user : other, slot],
      );
    }
    return bySlot;
  }

  /** A source handing out exactly `values` (the draw of one kind takes RANDOMS_PER_DRAW of them). */
  function source(values: number[]): () => number {
    expect(values).to.have.length(TaskPools.RANDOMS_PER_DRAW);
    let i = 0;
    return () => {
      if (i >= values.length) throw new Error("the draw took more random numbers than it says");
      return values[i++];
    };
  }

  async function draw(lang: string, values: number[]): Promise<string | null> {
    const c = await pools.drawOne<ReviewCandidate>(ds.manager, "promptReview", lang, user, null, source(values));
    return c?.id ?? null;
  }

  const tries = (...us: number[]) => [...us, ...Array<number>(TaskPools.TRIALS - us.length).fill(us[us.length - 1] ?? 0)];

  it("small partition: each candidate at exactly one offset in key order, the user's own prompt never", async () => {
    const bySlot = await prompts("uf-small", [3, 40, 41, 900, 12], new Set([41]));
    const candidates = [...bySlot]
      .filter(([s]) => s !== 41)
      .map(([, id]) => id)
      .sort();
    const drawn: string[] = [];
    for (let j = 0; j < candidates.length; j++) drawn.push((await draw("uf-small", [...tries(0.5), (j + 0.5) / candidates.length]))!);
    // The tries do not matter on a small partition: the offset alone decides, in key order.
    expect(drawn).to.deep.equal(candidates);
  });

  it("large partition: over every first try and every offset, each candidate is drawn equally often", async () => {
    // 80 rows on slots 0..99 (20 holes, the highest slot taken), 11 of them the user's own.
    const slots = Array.from({ length: 100 }, (_, s) => s).filter((s) => s % 5 !== 3);
    const own = new Set(slots.filter((s) => s % 8 === 1));
    const bySlot = await prompts("uf-large", slots, own);
    const candidates = [...bySlot].filter(([s]) => !own.has(s)).map(([, id]) => id);
    const m = candidates.length;
    expect(m).to.equal(69);
    expect(bySlot.size).to.be.greaterThan(TaskPools.SMALL_POOL);
    const ownSlot = [...own][0];
    const count = new Map<string, number>();
    // The first try on each of the 100 slots; the other tries on an own row (rejected), so a miss falls to the
    // offset, which runs over all the candidates.
    const values = (s: number, j: number) => [(s + 0.5) / 100, ...Array<number>(TaskPools.TRIALS - 1).fill((ownSlot + 0.5) / 100), (j + 0.5) / m];
    for (let s = 0; s < 100; s++) {
      const hit = bySlot.has(s) && !own.has(s) ? bySlot.get(s)! : null;
      // A first try on a candidate takes it whatever the offset: its m offsets, checked at both ends.
      if (hit) {
        for (const j of [0, m - 1]) expect(await draw("uf-large", values(s, j))).to.equal(hit);
        count.set(hit, (count.get(hit) ?? 0) + m);
        continue;
      }
      for (let j = 0; j < m; j++) {
        const id = await draw("uf-large", values(s, j));
        expect(id).to.not.equal(null);
        count.set(id!, (count.get(id!) ?? 0) + 1);
      }
    }
    expect([...count.keys()].sort()).to.deep.equal([...candidates].sort());
    // Each candidate: m times from its own slot, and once in the offsets of each of the 100 - m missed first tries.
    expect(new Set(count.values())).to.deep.equal(new Set([100]));
  });

  it("large partition: a try on a hole or on a row the user may not take moves on to the next try", async () => {
    const slots = Array.from({ length: 70 }, (_, s) => s * 2); // holes on odd slots, highest slot 138
    const bySlot = await prompts("uf-next", slots, new Set([0, 2]));
    const at = (s: number) => (s + 0.5) / 139;
    expect(await draw("uf-next", [...tries(at(1), at(0), at(2), at(3), at(10)), 0])).to.equal(bySlot.get(10));
    expect(await draw("uf-next", [...tries(at(4)), 0.99])).to.equal(bySlot.get(4));
  });

  it("no candidate: null, whatever the numbers", async () => {
    await prompts("uf-none", [0, 1, 2], new Set([0, 1, 2]));
    expect(await draw("uf-none", [...tries(0.1), 0.1])).to.equal(null);
    expect(await draw("uf-empty", [...tries(0.1), 0.9])).to.equal(null);
  });
});
