import { Column, CreateDateColumn, Entity, PrimaryColumn } from "typeorm";

/**
 * Secrets the server generates for itself (the user-token signing key when USER_TOKEN_SECRET is unset).
 * Kept in PostgreSQL so every replica signs and verifies with the same key.
 */
@Entity("system_secret")
export class SystemSecret {
  @PrimaryColumn({ type: "varchar", length: 64 })
  name: string;

  @Column({ type: "text" })
  value: string;

  @CreateDateColumn({ type: "timestamptz", name: "created_at" })
  createdAt: Date;
}
