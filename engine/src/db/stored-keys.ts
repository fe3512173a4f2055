/**
 * User-chosen names (label names above all) where they are keys of a stored document: a stored key
 * may hold no '.' and no '$' (FerretDB refuses both, MongoDB reads a dotted key in an update as a
 * nested path and refused a leading '$' before 5.0), and a label may be named "traffic.light" or
 * "$price". Such keys are stored %-escaped ('%' → %25, '.' → %2E, '$' → %24) and decoded where the
 * document is read, so API answers show the names unchanged. Keys without those characters are
 * stored as they are, so documents stored before the escaping read back the same.
 */
export const storedKeys = {
  encode<T>(r: Record<string, T>): Record<string, T> {
    return Object.fromEntries(
      Object.entries(r).map(([k, v]) => [k.replace(/[%.$]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`), v]),
    );
  },
  decode<T>(r: Record<string, T>): Record<string, T> {
    return Object.fromEntries(
      Object.entries(r).map(([k, v]) => [k.replace(/%(25|2E|24)/g, (_, h: string) => String.fromCharCode(parseInt(h, 16))), v]),
    );
  },
};
