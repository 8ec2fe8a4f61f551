import type { Migration } from '../db/migrations.js';

/**
 * Schema for evaluation reports, applied with the domain's `migrate()` after its own list
 * (same `schema_migrations` table). Versions start at 501 so the domain's list can grow
 * without clashing. Append only, as for the domain's migrations.
 */
export const reportsMigrations: Migration[] = [
  {
    version: 501,
    name: 'reports: session facts, attendance, travel details, experience survey',
    sql: `
CREATE TABLE report_session_facts (
  consultation_id uuid PRIMARY KEY REFERENCES consultations(id),
  started_at timestamptz,
  ended_at timestamptz
);
CREATE TABLE report_attendance (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  consultation_id uuid NOT NULL REFERENCES consultations(id),
  participant_id uuid NOT NULL REFERENCES participants(id),
  joined_at timestamptz NOT NULL,
  left_at timestamptz,
  CHECK (left_at IS NULL OR left_at >= joined_at)
);
CREATE INDEX report_attendance_consultation ON report_attendance(consultation_id);
CREATE TABLE report_travel (
  participant_id uuid PRIMARY KEY REFERENCES participants(id),
  consultation_id uuid NOT NULL REFERENCES consultations(id),
  plan jsonb NOT NULL,
  updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX report_travel_consultation ON report_travel(consultation_id);
CREATE TABLE survey_answers (
  id uuid PRIMARY KEY,
  consultation_id uuid NOT NULL REFERENCES consultations(id),
  participant_id uuid NOT NULL REFERENCES participants(id),
  role text NOT NULL,
  audience text NOT NULL CHECK (audience IN ('patient_relative', 'staff')),
  scores jsonb NOT NULL,
  free_text text,
  submitted_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (consultation_id, participant_id)
);
CREATE TABLE reporting_grants (
  account_id uuid PRIMARY KEY REFERENCES accounts(id),
  granted_at timestamptz NOT NULL DEFAULT now()
);
-- Session start and end from the consultation's status changes, whoever makes them; the
-- live session may later record exact times through the reports service.
CREATE FUNCTION report_consultation_status() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.status = 'in_progress' AND OLD.status IS DISTINCT FROM 'in_progress' THEN
    INSERT INTO report_session_facts (consultation_id, started_at) VALUES (NEW.id, now())
      ON CONFLICT (consultation_id) DO UPDATE
        SET started_at = COALESCE(report_session_facts.started_at, EXCLUDED.started_at);
  ELSIF NEW.status = 'completed' AND OLD.status IS DISTINCT FROM 'completed' THEN
    INSERT INTO report_session_facts (consultation_id, ended_at) VALUES (NEW.id, now())
      ON CONFLICT (consultation_id) DO UPDATE
        SET ended_at = COALESCE(report_session_facts.ended_at, EXCLUDED.ended_at);
  END IF;
  RETURN NEW;
END;
$$;
CREATE TRIGGER consultations_report_status AFTER UPDATE OF status ON consultations
  FOR EACH ROW EXECUTE FUNCTION report_consultation_status();
`,
  },
];
