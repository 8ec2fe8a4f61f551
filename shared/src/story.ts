import { z } from 'zod';
import { plainText } from './plain-text.js';

/**
 * "Min historie / min gode dag" (LKT A): in the patient's own words, what matters to them and
 * what a good day looks like. The patient or a guardian writes it before the meeting; the
 * writer decides who else reads it. Every read and edit is audited.
 */
export const StorySharing = z.enum([
  /** Only the patient and guardians. */
  'private',
  /** Also the health personnel taking part in the patient's consultations. */
  'health_personnel',
  /** Every participant of the patient's consultations (also next of kin, the interpreter). */
  'all_participants',
]);
export type StorySharing = z.infer<typeof StorySharing>;

export const STORY_MAX_CHARS = 4000;

/** PUT /api/consultations/:id/story (and the patient entry's twin). */
export const SaveStoryRequest = z
  .object({
    whatMatters: plainText(STORY_MAX_CHARS),
    goodDay: plainText(STORY_MAX_CHARS),
    sharing: StorySharing,
    /** The version the writer started from (absent for the first); 409 if it moved. */
    expectedVersion: z.number().int().min(1).optional(),
  })
  .strict()
  .refine((v) => v.whatMatters.length > 0 || v.goodDay.length > 0, {
    message: 'write at least one of the two',
    path: ['whatMatters'],
  });
export type SaveStoryRequest = z.input<typeof SaveStoryRequest>;

export const Story = z.object({
  whatMatters: z.string(),
  goodDay: z.string(),
  sharing: StorySharing,
  version: z.number().int(),
  updatedAt: z.string(),
  /** Who wrote the latest version, as they took part (name and role). */
  updatedByName: z.string(),
  updatedByRole: z.string(),
});
export type Story = z.infer<typeof Story>;

/**
 * GET answer. `not_written`: only the writers learn that nothing is written yet; others get
 * `not_shared` whether or not something is written (no hint either way).
 */
export const StoryView = z.discriminatedUnion('state', [
  z.object({ state: z.literal('shown'), story: Story, canEdit: z.boolean() }),
  z.object({ state: z.literal('not_written'), canEdit: z.literal(true) }),
  z.object({ state: z.literal('not_shared'), canEdit: z.literal(false) }),
]);
export type StoryView = z.infer<typeof StoryView>;
