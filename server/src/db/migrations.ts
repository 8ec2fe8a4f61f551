/**
 * Versioned schema migrations as TS strings so `tsc` output ships them. Append only:
 * never edit a migration that has been released; add a new version instead.
 * The same SQL runs on PGlite and PostgreSQL 15.
 */
export interface Migration {
  version: number;
  name: string;
  sql: string;
}

export const migrations: Migration[] = [
  {
    version: 1,
    name: 'accounts and login sessions',
    sql: `
CREATE TABLE accounts (
  id uuid PRIMARY KEY,
  username text NOT NULL UNIQUE,
  password_hash text,
  name text NOT NULL,
  role text NOT NULL CHECK (role IN ('specialist', 'gp', 'municipal')),
  organisation text NOT NULL,
  oidc_issuer text,
  oidc_subject text,
  created_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (oidc_issuer, oidc_subject)
);
CREATE TABLE login_sessions (
  id uuid PRIMARY KEY,
  account_id uuid NOT NULL REFERENCES accounts(id),
  method text NOT NULL CHECK (method IN ('password', 'oidc')),
  assurance_level text NOT NULL CHECK (assurance_level IN ('low', 'substantial', 'high')),
  created_at timestamptz NOT NULL DEFAULT now(),
  revoked_at timestamptz
);
CREATE TABLE refresh_tokens (
  token_hash text PRIMARY KEY,
  session_id uuid NOT NULL REFERENCES login_sessions(id),
  expires_at timestamptz NOT NULL,
  used_at timestamptz,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX refresh_tokens_session ON refresh_tokens(session_id);
`,
  },
  {
    version: 2,
    name: 'consultations, participants, invites',
    sql: `
CREATE TABLE consultations (
  id uuid PRIMARY KEY,
  kind text NOT NULL CHECK (kind IN ('co_consultation', 'guidance', 'discharge_meeting', 'follow_up')),
  status text NOT NULL CHECK (status IN ('booked', 'in_progress', 'completed', 'cancelled', 'no_show')),
  title text,
  starts_at timestamptz NOT NULL,
  ends_at timestamptz NOT NULL,
  organiser_id uuid NOT NULL REFERENCES accounts(id),
  documenting_organisation text NOT NULL,
  cancel_reason text,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  CHECK (ends_at > starts_at)
);
CREATE INDEX consultations_starts_at ON consultations(starts_at);
CREATE TABLE participants (
  id uuid PRIMARY KEY,
  consultation_id uuid NOT NULL REFERENCES consultations(id),
  role text NOT NULL CHECK (role IN ('specialist', 'gp', 'municipal', 'patient', 'next_of_kin', 'interpreter')),
  name text NOT NULL,
  organisation text,
  email text,
  mobile text,
  joins_from text NOT NULL,
  travel_distance_km double precision NOT NULL CHECK (travel_distance_km >= 0),
  birth_date date,
  is_guardian boolean NOT NULL DEFAULT false,
  account_id uuid REFERENCES accounts(id),
  created_at timestamptz NOT NULL DEFAULT now(),
  removed_at timestamptz
);
CREATE INDEX participants_consultation ON participants(consultation_id);
CREATE INDEX participants_account ON participants(account_id) WHERE account_id IS NOT NULL;
-- One live patient per consultation.
CREATE UNIQUE INDEX participants_one_patient ON participants(consultation_id)
  WHERE role = 'patient' AND removed_at IS NULL;
CREATE TABLE invites (
  id uuid PRIMARY KEY,
  consultation_id uuid NOT NULL REFERENCES consultations(id),
  participant_id uuid NOT NULL REFERENCES participants(id),
  created_at timestamptz NOT NULL DEFAULT now(),
  revoked_at timestamptz
);
CREATE INDEX invites_participant ON invites(participant_id);
`,
  },
  {
    version: 3,
    name: 'consents and notification outbox',
    sql: `
CREATE TABLE consents (
  id uuid PRIMARY KEY,
  consultation_id uuid NOT NULL REFERENCES consultations(id),
  given_by_participant_id uuid NOT NULL REFERENCES participants(id),
  method text NOT NULL CHECK (method IN ('in_app', 'verbal')),
  recorded_by_participant_id uuid REFERENCES participants(id),
  covered_participant_ids jsonb NOT NULL,
  share_health_info boolean NOT NULL,
  given_at timestamptz NOT NULL,
  withdrawn_at timestamptz,
  withdrawn_by_participant_id uuid REFERENCES participants(id),
  superseded_at timestamptz,
  CHECK (method <> 'verbal' OR recorded_by_participant_id IS NOT NULL)
);
CREATE INDEX consents_consultation ON consents(consultation_id);
CREATE TABLE notification_outbox (
  id uuid PRIMARY KEY,
  consultation_id uuid NOT NULL REFERENCES consultations(id),
  participant_id uuid NOT NULL REFERENCES participants(id),
  kind text NOT NULL,
  channel text NOT NULL,
  recipient text NOT NULL,
  subject text NOT NULL,
  body text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX notification_outbox_consultation ON notification_outbox(consultation_id);
`,
  },
  {
    version: 4,
    name: 'hash-chained audit log',
    sql: `
CREATE TABLE audit_log (
  seq bigint PRIMARY KEY,
  at timestamptz NOT NULL,
  actor_type text NOT NULL,
  actor_id text,
  actor_name text,
  actor_role text,
  assurance_level text,
  action text NOT NULL,
  consultation_id uuid,
  client_address text,
  detail text,
  prev_hash text NOT NULL,
  hash text NOT NULL
);
CREATE INDEX audit_log_consultation ON audit_log(consultation_id);
-- The chain head: one row, locked by each append so concurrent writers serialise.
CREATE TABLE audit_head (
  id boolean PRIMARY KEY DEFAULT true CHECK (id),
  seq bigint NOT NULL,
  hash text NOT NULL
);
INSERT INTO audit_head (seq, hash) VALUES (0, repeat('0', 64));
-- Append-only for the application; the hash chain catches whoever bypasses this.
CREATE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'audit_log is append-only';
END;
$$;
CREATE TRIGGER audit_log_no_update_delete BEFORE UPDATE OR DELETE ON audit_log
  FOR EACH ROW EXECUTE FUNCTION audit_log_append_only();
`,
  },
  {
    version: 5,
    name: 'consultation reminders',
    sql: `
-- When the reminder for the current start time was sent; NULL means due once inside the
-- window. Rescheduling sets it back to NULL. The claim takes the row FOR UPDATE SKIP
-- LOCKED, so two nodes never send the same reminder.
ALTER TABLE consultations ADD COLUMN reminder_sent_at timestamptz;
-- The scheduler's scan: booked consultations still waiting for their reminder.
CREATE INDEX consultations_reminder_due ON consultations(starts_at)
  WHERE status = 'booked' AND reminder_sent_at IS NULL;
`,
  },
  {
    version: 6,
    name: 'eID identification of invitees, OpenID logins in flight',
    sql: `
-- HMAC-SHA256 of the participant's national identity number under IDENTITY_HASH_SECRET.
-- Set means the invite link alone does not admit them: they log in with the patient eID
-- (ID-porten) and its pid must hash to this. The number itself is never stored.
ALTER TABLE participants ADD COLUMN identity_hash text;
-- An authorization-code login between start and callback. In the database, not in memory,
-- so the provider may send the browser back to any node, and a restart does not lose it.
-- The state is stored hashed; the row is deleted when the callback takes it.
CREATE TABLE oidc_logins (
  state_hash text PRIMARY KEY,
  purpose text NOT NULL CHECK (purpose IN ('staff', 'invite')),
  code_verifier text NOT NULL,
  nonce text NOT NULL,
  context jsonb NOT NULL DEFAULT '{}'::jsonb,
  expires_at timestamptz NOT NULL
);
CREATE INDEX oidc_logins_expires ON oidc_logins(expires_at);
`,
  },
  {
    version: 7,
    name: 'patient entry with the patient eID',
    sql: `
-- A third kind of login in flight: a patient or next of kin logging in with the patient eID
-- (ID-porten) to see the consultations booked under their national identity number.
-- The column CHECK of migration 6 got PostgreSQL's default name, the same on PGlite.
ALTER TABLE oidc_logins DROP CONSTRAINT oidc_logins_purpose_check;
ALTER TABLE oidc_logins ADD CONSTRAINT oidc_logins_purpose_check
  CHECK (purpose IN ('staff', 'invite', 'patient'));
-- The patient entry looks participants up by the keyed hash of the number.
CREATE INDEX participants_identity_hash ON participants(identity_hash)
  WHERE identity_hash IS NOT NULL;
`,
  },
  {
    version: 10,
    name: 'live session memory: admissions, host mute and raised hands',
    sql: `
-- What a live session must not forget when its node restarts or another node takes it
-- over: who was admitted (they go straight back in), whether a host muted them, and
-- raised hands. Rows live while the session is open; they go when it ends or empties.
CREATE TABLE session_participants (
  consultation_id uuid NOT NULL REFERENCES consultations(id),
  participant_id uuid NOT NULL REFERENCES participants(id),
  admitted_at timestamptz NOT NULL DEFAULT now(),
  muted_by_host boolean NOT NULL DEFAULT false,
  hand_raised boolean NOT NULL DEFAULT false,
  PRIMARY KEY (consultation_id, participant_id)
);
`,
  },
  {
    version: 11,
    name: 'server secrets',
    sql: `
-- Secrets this deployment generates once and shares between its nodes when none is
-- configured (the token signing secret on PostgreSQL without JWT_SECRET).
CREATE TABLE server_secrets (
  name text PRIMARY KEY,
  value text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);
`,
  },
  {
    version: 20,
    name: 'booking delegates; when a live session was left empty',
    sql: `
-- A delegate the organiser names manages the booking as the organiser does (policy.ts).
ALTER TABLE participants ADD COLUMN delegate boolean NOT NULL DEFAULT false;
-- Set when the last person left the live session without ending it, cleared when someone
-- enters again: an in-progress consultation empty for longer than the configured time is
-- closed (session/idle-close.ts).
ALTER TABLE consultations ADD COLUMN vacated_at timestamptz;
CREATE INDEX consultations_in_progress ON consultations(status) WHERE status = 'in_progress';
`,
  },
  {
    version: 30,
    name: 'consultation agendas',
    sql: `
-- The ordered parts of each consultation (shared/src/agenda.ts), chosen at booking from the
-- template of its kind and edited by the organiser. Parts are one JSON list: they are read
-- and written whole, and their ids stay stable across edits. version counts saved edits
-- (optimistic concurrency: an edit names the version it started from).
CREATE TABLE consultation_agendas (
  consultation_id uuid PRIMARY KEY REFERENCES consultations(id),
  version integer NOT NULL CHECK (version >= 1),
  template text NOT NULL,
  parts jsonb NOT NULL,
  updated_at timestamptz NOT NULL DEFAULT now()
);
`,
  },
  {
    version: 31,
    name: 'patient records and care teams',
    sql: `
-- The patient across consultations (LKT): what outlives one meeting (care team, story, plan)
-- hangs on a patient record. With a national identity number the record is keyed by its
-- keyed hash (participants.identity_hash), so every booking with that number finds it; without
-- one, a booking starts a new record unless the organiser continues an earlier consultation's
-- (CreateConsultationRequest.continuesFrom). Names and numbers are never keys.
CREATE TABLE patient_records (
  id uuid PRIMARY KEY,
  identity_hash text UNIQUE,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE TABLE consultation_patients (
  consultation_id uuid PRIMARY KEY REFERENCES consultations(id),
  patient_record_id uuid NOT NULL REFERENCES patient_records(id),
  linked_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX consultation_patients_record ON consultation_patients(patient_record_id);
-- The actor map: who is involved, in which role, how to reach them; one coordinator.
CREATE TABLE care_team_members (
  id uuid PRIMARY KEY,
  patient_record_id uuid NOT NULL REFERENCES patient_records(id),
  role text NOT NULL CHECK (role IN ('specialist', 'gp', 'municipal', 'next_of_kin', 'interpreter', 'other')),
  title text,
  name text NOT NULL,
  organisation text,
  phone text,
  email text,
  account_id uuid REFERENCES accounts(id),
  is_coordinator boolean NOT NULL DEFAULT false,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  removed_at timestamptz
);
CREATE INDEX care_team_members_record ON care_team_members(patient_record_id)
  WHERE removed_at IS NULL;
CREATE INDEX care_team_members_account ON care_team_members(account_id)
  WHERE account_id IS NOT NULL AND removed_at IS NULL;
CREATE UNIQUE INDEX care_team_one_coordinator ON care_team_members(patient_record_id)
  WHERE is_coordinator AND removed_at IS NULL;
`,
  },
  {
    version: 32,
    name: 'my story and my good day',
    sql: `
-- "Min historie / min gode dag", written by the patient or a guardian. sharing says who else
-- reads it: nobody, health personnel, or every participant of the patient's consultations.
CREATE TABLE patient_stories (
  patient_record_id uuid PRIMARY KEY REFERENCES patient_records(id),
  what_matters text NOT NULL,
  good_day text NOT NULL,
  sharing text NOT NULL CHECK (sharing IN ('private', 'health_personnel', 'all_participants')),
  version integer NOT NULL CHECK (version >= 1),
  updated_at timestamptz NOT NULL DEFAULT now(),
  updated_by_participant_id uuid REFERENCES participants(id),
  updated_by_name text NOT NULL,
  updated_by_role text NOT NULL
);
`,
  },
  {
    version: 33,
    name: 'agreed plan items and their notes',
    sql: `
-- The plan agreed in a consultation (LKT C and E): what, who (a care team member or the
-- patient; name and role kept as written), by when. Items outlive the call; owners mark them
-- done and add notes. Removed items stay (removed_at) for the audit trail and the figures.
CREATE TABLE plan_items (
  id uuid PRIMARY KEY,
  consultation_id uuid NOT NULL REFERENCES consultations(id),
  patient_record_id uuid NOT NULL REFERENCES patient_records(id),
  position integer NOT NULL,
  what text NOT NULL,
  owner_kind text NOT NULL CHECK (owner_kind IN ('care_team_member', 'patient')),
  owner_member_id uuid REFERENCES care_team_members(id),
  owner_name text NOT NULL,
  owner_role text NOT NULL,
  due_date date,
  status text NOT NULL CHECK (status IN ('open', 'done')),
  done_at timestamptz,
  done_by_name text,
  created_at timestamptz NOT NULL DEFAULT now(),
  created_by_name text NOT NULL,
  updated_at timestamptz NOT NULL DEFAULT now(),
  removed_at timestamptz,
  CHECK (owner_kind <> 'care_team_member' OR owner_member_id IS NOT NULL),
  CHECK ((status = 'done') = (done_at IS NOT NULL))
);
CREATE INDEX plan_items_consultation ON plan_items(consultation_id);
CREATE INDEX plan_items_record ON plan_items(patient_record_id);
CREATE INDEX plan_items_owner ON plan_items(owner_member_id) WHERE owner_member_id IS NOT NULL;
CREATE TABLE plan_item_notes (
  id uuid PRIMARY KEY,
  plan_item_id uuid NOT NULL REFERENCES plan_items(id),
  text text NOT NULL,
  author_name text NOT NULL,
  author_role text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX plan_item_notes_item ON plan_item_notes(plan_item_id);
`,
  },
  {
    version: 40,
    name: 'lkt-live: agenda parts as run in the live session, and who was in each',
    sql: `
-- One row per time a part was on (a host may return to a part: several runs of one part).
-- part_id is the agenda part's id (shared/src/agenda.ts); title, audience and agreesPlan are
-- copied, so the record stays what happened even if the agenda is edited later.
CREATE TABLE session_part_runs (
  id uuid PRIMARY KEY,
  consultation_id uuid NOT NULL REFERENCES consultations(id),
  part_id text NOT NULL,
  position integer NOT NULL,
  audience text NOT NULL CHECK (audience IN ('staff_only', 'everyone', 'private')),
  agrees_plan boolean NOT NULL,
  title text NOT NULL,
  started_at timestamptz NOT NULL,
  ended_at timestamptz,
  started_by_participant_id uuid REFERENCES participants(id),
  CHECK (ended_at IS NULL OR ended_at >= started_at)
);
CREATE INDEX session_part_runs_consultation ON session_part_runs(consultation_id, started_at);
-- Who was where during a run: the private group, its side room, everyone together, or held
-- in the waiting room (staff-only parts), from when to when.
CREATE TABLE session_part_presence (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  run_id uuid NOT NULL REFERENCES session_part_runs(id),
  consultation_id uuid NOT NULL REFERENCES consultations(id),
  participant_id uuid NOT NULL REFERENCES participants(id),
  media_group text NOT NULL CHECK (media_group IN ('plenary', 'private', 'side', 'held')),
  from_at timestamptz NOT NULL,
  to_at timestamptz NOT NULL,
  CHECK (to_at >= from_at)
);
CREATE INDEX session_part_presence_consultation ON session_part_presence(consultation_id);
`,
  },
];
