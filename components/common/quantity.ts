/**
 * Kubernetes resource quantities (`4`, `500m`, `16Gi`, `16G`, `1.5e9`, `128974848`), parsed as
 * k8s.io/apimachinery pkg/api/resource quantity.go ParseQuantity reads them:
 *
 *   <quantity> ::= <sign><number><suffix>
 *   <number>   ::= <digits> | <digits>.<digits> | <digits>. | .<digits>
 *   <suffix>   ::= <binarySI> | <decimalSI> | <decimalExponent>
 *   binarySI: Ki Mi Gi Ti Pi Ei; decimalSI: n u m "" k M G T P E; decimalExponent: e or E and a
 *   signed whole number (`1e3`, `1E-3`; a bare `E` is exa).
 *
 * The one parser of quantities in the kit: the config's rules, the capacity checks and the
 * ResourceQuota of a team all read quantities through it.
 */
const QUANTITY = /^([+-]?)(\d+(?:\.\d*)?|\.\d+)(Ki|Mi|Gi|Ti|Pi|Ei|[numkMGTPE]|[eE][+-]?\d+)?$/;

const SUFFIX: Record<string, number> = {
  Ki: 2 ** 10,
  Mi: 2 ** 20,
  Gi: 2 ** 30,
  Ti: 2 ** 40,
  Pi: 2 ** 50,
  Ei: 2 ** 60,
  n: 1e-9,
  u: 1e-6,
  m: 1e-3,
  k: 1e3,
  M: 1e6,
  G: 1e9,
  T: 1e12,
  P: 1e15,
  E: 1e18,
};

/** A quantity's value in its base unit (cores, bytes), or undefined when Kubernetes would refuse it. */
export function parseQuantity(q: string | number): number | undefined {
  const s = String(q).trim();
  const m = QUANTITY.exec(s);
  if (!m) return undefined;
  const [, sign, digits, suffix = ""] = m;
  // `E` alone is exa and `Ei` exbi; `e` or `E` with digits is an exponent.
  const scale = /^[eE][+-]?\d/.test(suffix) ? 10 ** Number(suffix.slice(1)) : suffix === "" ? 1 : SUFFIX[suffix];
  const value = Number(digits) * scale * (sign === "-" ? -1 : 1);
  return Number.isFinite(value) ? value : undefined;
}

/** The rule quantities are held to, for messages: what forms Kubernetes takes. */
export const QUANTITY_FORMS =
  "a Kubernetes quantity: a number with an optional suffix (binary Ki Mi Gi Ti Pi Ei, decimal m k M G T P E, or an exponent such as 1e9)";

/** Why `q` cannot be a request of `what` (CPU, memory) greater than 0, or undefined. */
export function positiveQuantityProblem(q: string | number, what: string, example: string): string | undefined {
  const v = parseQuantity(q);
  if (v === undefined) return `must be ${QUANTITY_FORMS}, such as ${example}`;
  if (!(v > 0)) return `must request more than 0 ${what}`;
  return undefined;
}

/** CPU in millicores (Kubernetes rounds a CPU request up to whole millicores). */
export function cpuMillisOf(q: string | number): number | undefined {
  const v = parseQuantity(q);
  return v === undefined ? undefined : Math.ceil(Number((v * 1000).toPrecision(12)));
}

/** Memory in MiB. */
export function memoryMiBOf(q: string | number): number | undefined {
  const v = parseQuantity(q);
  return v === undefined ? undefined : v / 2 ** 20;
}
