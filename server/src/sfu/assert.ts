/** Makes a `switch` exhaustive: adding a case to the union fails compilation here. */
export function assertUnreachable(value: never): never {
  throw new Error(`unreachable: ${JSON.stringify(value)}`);
}
