import { z } from 'zod';
import { IsoDate } from './participant.js';
import { plainText } from './plain-text.js';

/**
 * The agreed plan (LKT C "enighet og plan", E "aktørenes gjennomføring"): items agreed in a
 * consultation, each with what, who (a care team member or the patient) and by when. The
 * plan outlives the call: owners mark items done and add notes; every change is audited.
 * Across care levels it is shown only as the patient's consent allows (`shareHealthInfo`).
 */
export const PlanOwner = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('care_team_member'), memberId: z.uuid() }),
  z.object({ kind: z.literal('patient') }),
]);
export type PlanOwner = z.infer<typeof PlanOwner>;

export const PlanItemStatus = z.enum(['open', 'done']);
export type PlanItemStatus = z.infer<typeof PlanItemStatus>;

const what = plainText(500).pipe(z.string().min(1, 'say what is to be done'));

/** A new item (REST, or the host in the call through lkt-live's socket event). */
export const NewPlanItem = z
  .object({
    what,
    owner: PlanOwner,
    /** By when (a calendar date); null for ongoing items. */
    dueDate: IsoDate.nullable(),
  })
  .strict();
export type NewPlanItem = z.input<typeof NewPlanItem>;

/** The host changes what, who or when. */
export const PlanItemPatch = z
  .object({
    what: what.optional(),
    owner: PlanOwner.optional(),
    dueDate: IsoDate.nullable().optional(),
  })
  .strict()
  .refine((v) => Object.keys(v).length > 0, 'nothing to update');
export type PlanItemPatch = z.input<typeof PlanItemPatch>;

/** The owner reports progress: done or open again, with an optional note. */
export const PlanProgressRequest = z
  .object({
    status: PlanItemStatus.optional(),
    note: plainText(1000).pipe(z.string().min(1)).optional(),
  })
  .strict()
  .refine((v) => v.status !== undefined || v.note !== undefined, 'give a status or a note');
export type PlanProgressRequest = z.input<typeof PlanProgressRequest>;

export const PlanItemNote = z.object({
  id: z.uuid(),
  text: z.string(),
  authorName: z.string(),
  authorRole: z.string(),
  createdAt: z.string(),
});
export type PlanItemNote = z.infer<typeof PlanItemNote>;

export const PlanItem = z.object({
  id: z.uuid(),
  consultationId: z.uuid(),
  what: z.string(),
  owner: PlanOwner,
  /** As written when the item was agreed (the member may leave the team later). */
  ownerName: z.string(),
  ownerRole: z.string(),
  dueDate: z.string().nullable(),
  status: PlanItemStatus,
  doneAt: z.string().nullable(),
  doneByName: z.string().nullable(),
  createdAt: z.string(),
  createdByName: z.string(),
  updatedAt: z.string(),
  notes: z.array(PlanItemNote),
});
export type PlanItem = z.infer<typeof PlanItem>;

/** GET /api/consultations/:id/plan. */
export const PlanView = z.object({
  items: z.array(PlanItem),
  /**
   * Items the caller does not see because the patient has not consented to sharing across
   * care levels (they still see the ones they own). 0 when nothing is held back.
   */
  withheld: z.number().int().min(0),
  /** The caller writes items (the host: specialist or organiser, staff login). */
  canWrite: z.boolean(),
  /** Item ids the caller may mark done or add notes to (their own). */
  ownItemIds: z.array(z.uuid()),
});
export type PlanView = z.infer<typeof PlanView>;

/** An item with the consultation it was agreed in, for lists across consultations. */
export const PlanItemInContext = PlanItem.extend({
  consultationTitle: z.string().nullable(),
  consultationKind: z.string(),
  consultationStartsAt: z.string(),
});
export type PlanItemInContext = z.infer<typeof PlanItemInContext>;

/**
 * GET /api/plan/mine ("Mine konsultasjonar"): the items a staff member owns through the care
 * teams they are on, and the plans of the consultations they took part in during the last
 * year (as far as they may see them), newest consultation first.
 */
export const MyPlanItems = z.object({
  items: z.array(PlanItemInContext),
  /** The ones they own: they mark these done or add notes. */
  ownItemIds: z.array(z.uuid()),
});
export type MyPlanItems = z.infer<typeof MyPlanItems>;

/** Due and not done by the end of the due day (Europe/Oslo is the product's time zone). */
export function isOverdue(item: Pick<PlanItem, 'status' | 'dueDate'>, today: string): boolean {
  return item.status === 'open' && item.dueDate !== null && item.dueDate < today;
}
