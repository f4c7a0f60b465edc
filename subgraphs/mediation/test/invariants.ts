import { sql } from 'drizzle-orm';
import type { Db } from '../src/db/index.ts';

/**
 * Cases whose row and events disagree: a version that is not the number of its events, a status that is not where
 * its last event left it, a case without parties, or an idempotency key committed without its result; a dispatched case without its lead's open part, or an open part
 * outside the current dispatch. Empty when
 * every change was written whole.
 */
export async function inconsistentCases(db: Db): Promise<string[]> {
  const { rows } = await db.execute<{ problem: string }>(sql`
    select 'case ' || c.id || ': version ' || c.version || ', ' || coalesce(e.n, 0) || ' events' as problem
      from cases c left join lateral (select count(*) n, max(case_version) v from case_events e where e.case_id = c.id) e on true
     where e.n <> c.version or e.v <> c.version
    union all
    select 'case ' || c.id || ': status ' || c.status || ', last event to ' || last.to_status
      from cases c join lateral (select to_status from case_events e where e.case_id = c.id order by case_version desc limit 1) last on true
     where last.to_status <> c.status
    union all
    select 'case ' || c.id || ': no parties' from cases c where not exists (select 1 from case_parties p where p.case_id = c.id)
    union all
    select 'case ' || c.id || ': ' || c.status || ' without an open part of its lead ' || coalesce(c.lead_unit, '(none)') from cases c
     where c.status in ('DISPATCHED', 'IN_PROGRESS') and not exists (select 1 from case_parts p where p.case_id = c.id
       and p.round = c.dispatch_round and p.role = 'LEAD' and p.unit_code = c.lead_unit and p.status in ('DISPATCHED', 'ACKNOWLEDGED'))
    union all
    select 'case ' || c.id || ': open part of ' || p.unit_code || ' in round ' || p.round || ' while ' || c.status || ' in round ' || c.dispatch_round
      from case_parts p join cases c on c.id = p.case_id
     where p.status in ('DISPATCHED', 'ACKNOWLEDGED') and (p.round <> c.dispatch_round or c.status not in ('DISPATCHED', 'IN_PROGRESS'))
    union all
    select 'key ' || k.key || ': no result' from case_idempotency_keys k
     where k.case_id is null or k.event_sequence is null
        or not exists (select 1 from case_events e where e.sequence = k.event_sequence and e.case_id = k.case_id)
  `);
  return rows.map((r) => r.problem);
}
