/** A module without `createCallHandler`: a handler thread must refuse to start on it. */
export const notAHandler = true;
