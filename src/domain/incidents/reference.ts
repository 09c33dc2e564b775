/** Incident references such as `INC-000123`: one format for making and for recognising them. */

export interface ReferenceFormat {
  prefix: string;
  digits: number;
}

export const formatReference = (n: number, f: ReferenceFormat): string => `${f.prefix}-${String(n).padStart(f.digits, '0')}`;

/** Matches a reference of this format; callers add word-boundary checks. */
export const referencePattern = (f: ReferenceFormat): RegExp => new RegExp(`${f.prefix}-\\d{${f.digits}}`, 'i');
