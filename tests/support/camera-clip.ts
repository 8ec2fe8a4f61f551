import { execFile } from 'node:child_process';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

/*
 * A camera-like picture for Chromium (`--use-file-for-fake-video-capture`), made here with
 * ffmpeg (installed by infra/setup.sh) rather than recorded: ffmpeg's moving test pattern
 * (testsrc2), whose detail and motion the VP8 encoder codes at its caps, as it does a
 * person before a webcam. (Sensor noise on top filled the caps as well, but decoding it
 * took the receiver's CPU on the 2-core rig, and its feedback then came late.)
 *
 * Why not Chromium's own fake camera: its flat picture with a small moving part leaves the
 * VP8 encoder far under the 720p layer's 1.2 Mbit/s cap (some 500-700 kbit/s on the rig), so
 * a cut to 400 kbit/s barely overloads the link and its queue takes most of a second to fill.
 * A person in front of a real webcam fills the cap, and a cut then overloads the link three
 * times over, as it does in life.
 */

const WIDTH = 1280;
const HEIGHT = 720;
const FPS = 30;
/** Small enough (1.4 MB a frame) to keep in /tmp; the pattern loops every 2 s. */
const SECONDS = 2;

/** Writes the clip as Y4M (what Chromium's fake capture reads) and returns its path. */
export async function cameraClipFile(): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), 'samkons-camera-'));
  const file = path.join(dir, 'camera.y4m');
  await promisify(execFile)(
    'ffmpeg',
    [
      '-loglevel',
      'error',
      '-y',
      '-f',
      'lavfi',
      '-i',
      `testsrc2=size=${WIDTH}x${HEIGHT}:rate=${FPS}`,
      '-t',
      String(SECONDS),
      '-pix_fmt',
      'yuv420p',
      file,
    ],
    { timeout: 60_000 },
  );
  return file;
}
