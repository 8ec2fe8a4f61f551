import { z } from 'zod';
import { NationalId } from './national-id.js';

/**
 * POST /api/consultations/:id/fhir: the export with the patient's national identity number,
 * for an entitled caller (health personnel taking part, by staff login) who already has it
 * (from the EPJ). samkons stores only a keyed hash, so the number is checked against it
 * and, when it matches, written into Patient.identifier; otherwise 403.
 */
export const FhirExportRequest = z.object({ patientNationalId: NationalId }).strict();
export type FhirExportRequest = z.input<typeof FhirExportRequest>;
