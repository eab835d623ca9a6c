import { Duration } from 'aws-cdk-lib';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** The directory of the ASL files (statemachines/). */
export const STATEMACHINES = fileURLToPath(new URL('../../statemachines/', import.meta.url));

/**
 * The execution timeout of a state machine, read from its ASL file's top-level `TimeoutSeconds`:
 * the one source of truth. `sfn.StateMachine` with `DefinitionBody.fromFile` ships the file as an
 * S3 asset as written and ignores the construct's `timeout` prop, so the file must carry it
 * (https://docs.aws.amazon.com/step-functions/latest/dg/statemachine-structure.html).
 * Synth fails when the field is missing or not a positive whole number of seconds.
 */
export function aslTimeout(file: string): Duration {
  const definition = JSON.parse(readFileSync(`${STATEMACHINES}${file}`, 'utf8')) as { TimeoutSeconds?: unknown };
  const seconds = definition.TimeoutSeconds;
  if (typeof seconds !== 'number' || !Number.isInteger(seconds) || seconds <= 0 || seconds > 99_999_999) {
    throw new Error(`statemachines/${file}: top-level TimeoutSeconds must be a whole number of seconds from 1 to 99999999, found ${JSON.stringify(seconds)}`);
  }
  return Duration.seconds(seconds);
}

/** The definition body of an ASL file under statemachines/. */
export function aslDefinition(file: string): sfn.DefinitionBody {
  return sfn.DefinitionBody.fromFile(`${STATEMACHINES}${file}`);
}
