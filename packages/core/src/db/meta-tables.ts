import { integer, pgTable, text, timestamp } from 'drizzle-orm/pg-core';

/**
 * Which demo district a department's database was seeded with. Every department's schema includes it, so the
 * hub can tell on start whether a database still needs its demo data, and refuses to mix two demo worlds.
 */
export const demoSeed = pgTable('demo_seed', {
  department: text('department').primaryKey(),
  seed: integer('seed').notNull(),
  residents: integer('residents').notNull(),
  seededAt: timestamp('seeded_at', { withTimezone: true }).notNull().defaultNow(),
});
