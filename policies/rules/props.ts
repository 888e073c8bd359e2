/** Resource inputs as policies see them: untyped JSON from any provider. */
export type Props = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
