/**
 * A value Moodle's REST server can receive: PHP builds nested arrays from
 * bracketed form field names (`courseids[0]=2`, `options[0][name]=limitfrom`).
 */
export type PhpFormValue =
  | string
  | number
  | boolean
  | null
  | undefined
  | PhpFormValue[]
  | { [key: string]: PhpFormValue };

/**
 * Encodes parameters the way PHP decodes `$_POST` into nested arrays:
 * arrays become `key[0]`, `key[1]`…, objects `key[name]`, booleans `1`/`0`
 * (Moodle's PARAM_BOOL), `null`/`undefined` are left out. An empty array
 * cannot be expressed in a form and is left out too, which Moodle reads as
 * "not given" (its VALUE_DEFAULT applies).
 */
export function encodePhpForm(params: Record<string, PhpFormValue>): URLSearchParams {
  const form = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) append(form, key, value);
  return form;
}

function append(form: URLSearchParams, name: string, value: PhpFormValue): void {
  if (value === null || value === undefined) return;
  if (Array.isArray(value)) {
    value.forEach((item, i) => {
      append(form, `${name}[${i}]`, item);
    });
    return;
  }
  switch (typeof value) {
    case 'object':
      for (const [key, item] of Object.entries(value)) append(form, `${name}[${key}]`, item);
      return;
    case 'boolean':
      form.append(name, value ? '1' : '0');
      return;
    case 'number':
      // PHP would read "NaN" or "Infinity" as a string and Moodle would reject it far from the cause.
      if (!Number.isFinite(value)) throw new TypeError(`${name}: ${value} cannot be sent to Moodle`);
      form.append(name, String(value));
      return;
    default:
      form.append(name, value);
  }
}
