// Phone numbers assigned to tenants, in canonical E.164 (ITU-T E.164), read with libphonenumber-js.
import { parsePhoneNumberFromString } from 'libphonenumber-js';

/** The canonical E.164 form (`+15145550123`) of a valid number in international format, else null. */
export function canonicalNumber(text: string): string | null {
  const p = parsePhoneNumberFromString(text.trim());
  return p?.isValid() ? p.number : null;
}
