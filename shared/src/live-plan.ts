import { z } from 'zod';
import { NewPlanItem, PlanItem, PlanItemPatch } from './plan.js';

/**
 * The agreed plan, live in the call (issue 11, item 4): the host writes items during
 * "Oppsummering og plan" and everyone in the call sees the plan change as it is written.
 * Items are stored by the plan service (shared/src/plan.ts, server/src/plan), which checks
 * who may write and audits every change; the socket is only the way in and out of the call.
 */

const Id = z.string().min(1).max(128);
const Empty = z.object({}).strict();
const Items = z.object({ items: z.array(PlanItem) });

/** Plan requests (client -> server, acked); merged into signalling's `requests`. */
export const planRequests = {
  /** The plan so far (every admitted participant). */
  planGet: { req: Empty, res: Items },
  /** Needs `canModerate` (the host), as the plan service's `plan.write`. */
  planAdd: { req: NewPlanItem, res: z.object({ item: PlanItem }) },
  planUpdate: {
    req: z.object({ itemId: z.uuid(), patch: PlanItemPatch }).strict(),
    res: z.object({ item: PlanItem }),
  },
  planRemove: { req: z.object({ itemId: z.uuid() }).strict(), res: Empty },
} as const satisfies Record<string, { req: z.ZodType; res: z.ZodType }>;

/** Plan notifications (server -> client); merged into signalling's `notifications`. */
export const planNotifications = {
  /** To everyone admitted: the whole plan after any change (in the call or elsewhere). */
  planChanged: Items.extend({ changedItemId: Id.nullable() }),
} as const satisfies Record<string, z.ZodType>;
