/** Minimal typing of the autocannon API the load generator uses (the package ships no types). */
declare module 'autocannon' {
  function autocannon(opts: Record<string, unknown>): Promise<Record<string, any>>;
  export default autocannon;
}
