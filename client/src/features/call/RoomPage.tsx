/** The in-call page (route /room/:roomId). Owned by the media work; placeholder until then. */
export function RoomPage() {
  return null;
}
