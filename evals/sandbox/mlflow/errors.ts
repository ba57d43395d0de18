/** HTTP status of each MLflow error code (`ERROR_CODE_TO_HTTP_STATUS`). */
const STATUS: Record<string, number> = {
  INVALID_PARAMETER_VALUE: 400,
  BAD_REQUEST: 400,
  RESOURCE_ALREADY_EXISTS: 400,
  UNAUTHENTICATED: 401,
  PERMISSION_DENIED: 403,
  RESOURCE_DOES_NOT_EXIST: 404,
  NOT_FOUND: 404,
  ENDPOINT_NOT_FOUND: 404,
  INTERNAL_ERROR: 500,
  TEMPORARILY_UNAVAILABLE: 503,
};

/** An MLflow REST error; renders as `{ error_code, message }` with the status MLflow gives its code. */
export class MlflowError extends Error {
  override name = "MlflowError";
  readonly errorCode: string;
  readonly status: number;

  constructor(errorCode: string, message: string) {
    super(message);
    this.errorCode = errorCode;
    this.status = STATUS[errorCode] ?? 500;
  }

  /** The JSON body MLflow sends. */
  toJSON(): { error_code: string; message: string } {
    return { error_code: this.errorCode, message: this.message };
  }
}

/** A missing or malformed request field. */
export function invalidParameter(message: string): MlflowError {
  return new MlflowError("INVALID_PARAMETER_VALUE", message);
}

/** An unknown id or name. */
export function notFound(message: string): MlflowError {
  return new MlflowError("RESOURCE_DOES_NOT_EXIST", message);
}
