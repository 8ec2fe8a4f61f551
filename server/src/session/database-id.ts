const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Whether a session's or a participant's id is one the database knows (a UUID: a booked
 * consultation and its participants). A development room is a name, its people too: nothing
 * about them is written, and what the session remembers of them stays in this process.
 */
export function isDatabaseId(id: string): boolean {
  return UUID.test(id);
}
