import { Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn } from "typeorm";
import { Field, ID, ObjectType, registerEnumType } from "type-graphql";
import { Role } from "../users/role.js";

export enum ApiClientKind {
  /** A frontend, bot or script acting for users. */
  CLIENT = "CLIENT",
  /** A GPU worker: may only use the worker protocol. */
  WORKER = "WORKER",
}
registerEnumType(ApiClientKind, { name: "ApiClientKind", description: "What a key is for." });

@ObjectType({ description: "A frontend, bot, script or worker that talks to Chorus with its own key." })
@Entity("api_client")
export class ApiClient {
  @Field(() => ID, { description: "The client's id (a UUID)." })
  @PrimaryGeneratedColumn("uuid")
  id: string;

  @Field({ description: "Human name of the client, shown to admins." })
  @Column({ type: "varchar", length: 256 })
  name: string;

  /** SHA-256 of the key: keys are 256-bit random strings, so a fast hash is enough and lookups stay indexed. */
  @Index("ix_api_client_key_hash", { unique: true })
  @Column({ type: "char", length: 64, name: "key_hash" })
  keyHash: string;

  /** Shown to admins only, by `ApiClientFieldResolver.keyPrefix`. */
  @Column({ type: "varchar", length: 16, name: "key_prefix" })
  keyPrefix: string;

  @Field(() => ApiClientKind, { description: "CLIENT for frontends and scripts, WORKER for GPU workers." })
  @Column({ type: "varchar", length: 16, default: ApiClientKind.CLIENT })
  kind: ApiClientKind;

  @Field({ description: "Trusted clients act with their users' roles and may read across clients." })
  @Column({ type: "boolean", default: false })
  trusted: boolean;

  @Field(() => Role, { description: "The role the client has when it acts without a user (scripts)." })
  @Column({ type: "varchar", length: 16, default: Role.USER })
  role: Role;

  @Field(() => String, { nullable: true, description: "Free text: web, discord, import, ..." })
  @Column({ type: "varchar", length: 256, name: "frontend_type", nullable: true })
  frontendType: string | null;

  /** Shown to admins only, by `ApiClientFieldResolver.adminEmail`. */
  @Column({ type: "varchar", length: 256, name: "admin_email", nullable: true })
  adminEmail: string | null;

  @Field({ description: "Disabled clients cannot authenticate." })
  @Column({ type: "boolean", default: true })
  enabled: boolean;

  @Field(() => Date, { nullable: true, description: "After this instant the key no longer works." })
  @Column({ type: "timestamptz", name: "expires_at", nullable: true })
  expiresAt: Date | null;

  @Field(() => Date, { nullable: true, description: "When the key was revoked; revoked keys never work again." })
  @Column({ type: "timestamptz", name: "revoked_at", nullable: true })
  revokedAt: Date | null;

  @Field(() => Date, { description: "When the client was created." })
  @CreateDateColumn({ type: "timestamptz", name: "created_at" })
  createdAt: Date;

  /**
   * Raised by every key rotation: user tokens carry the epoch of their client at minting, so rotating a client's
   * key also ends every user token it minted (and their open sockets).
   */
  @Column({ type: "int", name: "token_epoch", default: 0 })
  tokenEpoch: number;

  @Field(() => Date, { nullable: true, description: "When the key was last rotated." })
  @Column({ type: "timestamptz", name: "rotated_at", nullable: true })
  rotatedAt: Date | null;
}
