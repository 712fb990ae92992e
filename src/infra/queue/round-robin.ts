/**
 * The 1-based place of the job at `index` (0-based) in `user`'s line, when users are served in `ring` order, one
 * job per turn, and a served user goes to the back of the ring while it still has jobs.
 *
 * Service runs in rounds: in each, every user still holding jobs takes one. The job is served in round `index`:
 * users ahead of `user` in the ring serve up to index+1 jobs before it, users behind serve up to index, and
 * `user` itself serves the `index` jobs ahead of it in its own line. The Redis driver's Lua repeats this.
 */
export function roundRobinPosition(ring: readonly string[], lineLength: (user: string) => number, user: string, index: number): number {
  let ahead = 0;
  let beforeUser = true;
  for (const other of ring) {
    if (other === user) {
      beforeUser = false;
      ahead += index;
    } else {
      ahead += Math.min(lineLength(other), beforeUser ? index + 1 : index);
    }
  }
  return ahead + 1;
}
