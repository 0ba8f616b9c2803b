/**
 * An exception the double's functions throw, serialised the way Moodle's
 * REST server does: HTTP 200, `{"exception","errorcode","message"}` plus
 * `debuginfo` when the site has debugging on.
 */
export class MoodleWsError extends Error {
  constructor(
    readonly exception: string,
    readonly errorcode: string,
    message: string,
    readonly debuginfo?: string,
  ) {
    super(message);
  }

  /** The JSON body Moodle sends. */
  toBody(debugging: boolean): Record<string, string> {
    return {
      exception: this.exception,
      errorcode: this.errorcode,
      message: this.message,
      ...(debugging && this.debuginfo ? { debuginfo: this.debuginfo } : {}),
    };
  }
}

/** invalid_parameter_exception (lib/setuplib.php): Moodle's message is fixed, the detail is debuginfo. */
export function invalidParameter(debuginfo: string): MoodleWsError {
  return new MoodleWsError(
    'invalid_parameter_exception',
    'invalidparameter',
    'Invalid parameter value detected',
    debuginfo,
  );
}

/** dml_missing_record_exception for a get_record(..., MUST_EXIST) on a table. */
export function missingRecord(table: string): MoodleWsError {
  if (table === 'user')
    return new MoodleWsError('dml_missing_record_exception', 'invaliduser', 'Invalid user');
  return new MoodleWsError(
    'dml_missing_record_exception',
    'invalidrecord',
    `Can't find data record in database table ${table}.`,
  );
}

/** A moodle_exception with its English string. */
export function moodleException(errorcode: string, message: string, debuginfo?: string): MoodleWsError {
  return new MoodleWsError('moodle_exception', errorcode, message, debuginfo);
}
