/**
 * What the benches read of other processes from /proc: the one way they measure a server's, Redis's or a
 * PostgreSQL backend's CPU (each bench had its own copy of this).
 */
import fs from "node:fs";

/** The fields of /proc/PID/stat after the command name (which is in parentheses and may hold spaces). */
function statFields(pid: number): string[] | null {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  } catch {
    return null;
  }
}

/** utime + stime of a process in milliseconds (clock ticks of 100 Hz); 0 once it has ended. */
export function cpuMsOfPid(pid: number): number {
  const fields = statFields(pid);
  return fields ? ((Number(fields[11]) + Number(fields[12])) * 1000) / 100 : 0;
}

/**
 * cutime + cstime in milliseconds: the CPU of the process's children that ended and were reaped. For PostgreSQL's
 * postmaster that is every backend that has exited, whose CPU vanished from the live processes' sum.
 */
export function endedChildrenCpuMsOfPid(pid: number): number {
  const fields = statFields(pid);
  return fields ? ((Number(fields[13]) + Number(fields[14])) * 1000) / 100 : 0;
}

/**
 * CPU milliseconds PostgreSQL has used so far, ended backends included: every live `postgres` process's own CPU plus
 * what their ended children used (the postmaster reaps each backend that exits). The difference of two readings is
 * what PostgreSQL used in between, even when connections close meanwhile; a sum of the live processes alone drops an
 * exiting backend's CPU and can come out negative.
 */
export function postgresCpuMs(): number {
  let total = 0;
  for (const entry of fs.readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (!fs.readFileSync(`/proc/${entry}/comm`, "utf8").startsWith("postgres")) continue;
    } catch {
      continue; // ended meanwhile
    }
    total += cpuMsOfPid(Number(entry)) + endedChildrenCpuMsOfPid(Number(entry));
  }
  return total;
}

/**
 * CPU milliseconds of the live PostgreSQL backends connected to database `name` (their command line names it): on a
 * machine shared with other databases' work, what this bench's server made PostgreSQL do. Backends that exit in
 * between are not counted, so read it across phases whose connections stay open (a server's pool).
 */
export function postgresCpuMsOfDatabase(name: string): number {
  let total = 0;
  const pattern = ` ${name} `;
  for (const entry of fs.readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (!fs.readFileSync(`/proc/${entry}/cmdline`, "utf8").includes(pattern)) continue;
    } catch {
      continue; // ended meanwhile
    }
    total += cpuMsOfPid(Number(entry));
  }
  return total;
}
