/**
 * What every agreement coefficient returns. `value` is null (never NaN) when the coefficient is
 * undefined for the data, and `reason` then says why in one sentence.
 */
export interface AgreementValue {
  value: number | null;
  reason?: string;
  /** Units (columns) in the input. */
  nUnits: number;
  /** Units that entered the computation (rated by both coders, or by at least two coders). */
  nPairable: number;
}

/** A chance-corrected agreement coefficient of the form (p_a − p_e) / (1 − p_e). */
export interface CoefficientResult extends AgreementValue {
  /** Observed (weighted) agreement p_a; null when no unit is pairable. */
  observedAgreement: number | null;
  /** Agreement expected by chance p_e; null when no unit is pairable. */
  chanceAgreement: number | null;
}

/**
 * Builds a chance-corrected result (p_a − p_e) / (1 − p_e) from observed and chance agreement;
 * p_e within 1e-12 of 1 (or NaN) gives `value: null` with `undefinedReason`. O(1).
 */
export function chanceCorrected(pa: number, pe: number, nUnits: number, nPairable: number, undefinedReason: string): CoefficientResult {
  if (!(pe < 1 - 1e-12)) return { value: null, reason: undefinedReason, nUnits, nPairable, observedAgreement: pa, chanceAgreement: pe };
  return { value: (pa - pe) / (1 - pe), nUnits, nPairable, observedAgreement: pa, chanceAgreement: pe };
}

/** A result with `value: null`, the given reason and no agreement figures, for inputs where nothing can be paired. O(1). */
export function noPairableUnits(nUnits: number, reason: string): CoefficientResult {
  return { value: null, reason, nUnits, nPairable: 0, observedAgreement: null, chanceAgreement: null };
}
