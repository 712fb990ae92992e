/**
 * What the benches read of other processes from /proc: the one way they measure a server's, Redis's or a
 * PostgreSQL backend's CPU (each bench had its own copy of this).
 */
import fs from "node:fs";

/** utime + stime of a process in milliseconds (clock ticks of 100 Hz); 0 once it has ended. */
export function cpuMsOfPid(pid: number): number {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
    // the fields after the command name, which is in parentheses and may hold spaces
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100;
  } catch {
    return 0;
  }
}
