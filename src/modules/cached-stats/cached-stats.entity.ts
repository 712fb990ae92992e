import { Column, Entity, PrimaryColumn } from "typeorm";

/** One precomputed statistic of the public stats pages (spec §1.14), recomputed as a whole by its job. */
@Entity("cached_stats")
export class CachedStat {
  @PrimaryColumn({ type: "varchar", length: 128 })
  name: string;

  @Column({ type: "timestamptz", name: "modified_date" })
  modifiedDate: Date;

  /** The statistic as the reference stores it: an object of counts, or a list of rows. */
  @Column({ type: "jsonb" })
  stats: unknown;
}
