import { invalidParameter, MoodleWsError } from './moodle-ws-error';
import type { PhpArray, PhpValue } from './php-form-parser';

/*
 * A small copy of Moodle's external_function_parameters descriptions and of
 * external_api::validate_parameters(): the same checks, the same messages.
 */

type ValueType = 'int' | 'float' | 'bool' | 'text' | 'raw' | 'alpha' | 'alphanumext';

/** How a parameter is described (external_value / external_single_structure / external_multiple_structure). */
export type ParamDesc = (
  | { kind: 'value'; type: ValueType }
  | { kind: 'single'; keys: Record<string, ParamDesc> }
  | { kind: 'multiple'; content: ParamDesc }
) & { required: boolean; default?: unknown };

export const value = (type: ValueType): ParamDesc => ({ kind: 'value', type, required: true });
export const single = (keys: Record<string, ParamDesc>): ParamDesc => ({
  kind: 'single',
  keys,
  required: true,
});
export const multiple = (content: ParamDesc): ParamDesc => ({ kind: 'multiple', content, required: true });
/** VALUE_OPTIONAL. */
export const optional = (desc: ParamDesc): ParamDesc => ({ ...desc, required: false });
/** VALUE_DEFAULT. */
export const withDefault = (desc: ParamDesc, fallback: unknown): ParamDesc => ({
  ...desc,
  required: false,
  default: fallback,
});

const patterns: Record<ValueType, RegExp> = {
  int: /^-?\d+$/,
  float: /^-?\d+(\.\d+)?([eE][-+]?\d+)?$/,
  bool: /^(0|1|true|false)?$/,
  text: /[\s\S]*/,
  raw: /[\s\S]*/,
  alpha: /^[a-zA-Z]*$/,
  alphanumext: /^[a-zA-Z0-9_-]*$/,
};

/** Validates a function's parameters (a single structure at the top); throws invalid_parameter_exception like Moodle. */
export function validateParameters(
  keys: Record<string, ParamDesc>,
  params: PhpArray,
): Record<string, unknown> {
  return validate(single(keys), params) as Record<string, unknown>;
}

function validate(desc: ParamDesc, input: PhpValue): unknown {
  if (desc.kind === 'value') {
    if (typeof input !== 'string') {
      throw invalidParameter(
        `Invalid external api parameter: the value is "array", the server was expecting "${desc.type}" type`,
      );
    }
    if (!patterns[desc.type].test(input)) {
      throw invalidParameter(
        `Invalid external api parameter: the value is "${input}", the server was expecting "${desc.type}" type`,
      );
    }
    if (desc.type === 'int' || desc.type === 'float') return Number(input);
    if (desc.type === 'bool') return input === '1' || input === 'true';
    return input;
  }
  if (typeof input === 'string') throw invalidParameter(`Only arrays accepted. The bad value is: '${input}'`);
  if (desc.kind === 'multiple') {
    return [...input.values()].map((item) => validate(desc.content, item));
  }
  const result: Record<string, unknown> = {};
  for (const [key, sub] of Object.entries(desc.keys)) {
    const given = input.get(key);
    if (given === undefined) {
      if (sub.required) throw invalidParameter(`Missing required key in single structure: ${key}`);
      if (sub.default !== undefined) result[key] = sub.default;
      continue;
    }
    try {
      result[key] = validate(sub, given);
    } catch (error) {
      if (!(error instanceof MoodleWsError) || error.exception !== 'invalid_parameter_exception') throw error;
      // Moodle re-throws with the key in front, debuginfo included in the new debuginfo.
      throw invalidParameter(`${key} => ${error.message}: ${error.debuginfo ?? ''}`);
    }
  }
  const unexpected = [...input.keys()].filter((key) => !(key in desc.keys));
  if (unexpected.length > 0)
    throw invalidParameter(`Unexpected keys (${unexpected.join(', ')}) detected in parameter array.`);
  return result;
}
