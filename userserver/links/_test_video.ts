/** Test helper: a real H.264 video made by ffmpeg's test source (`seconds` long, `size` like "1280x720"). */
export function makeTestVideo(
  path: string,
  seconds: number,
  size: string,
  rate = 24,
  extra: string[] = [],
): string {
  const made = Bun.spawnSync([
    "ffmpeg",
    "-v",
    "error",
    "-f",
    "lavfi",
    "-i",
    `testsrc=duration=${seconds}:size=${size}:rate=${rate}`,
    "-pix_fmt",
    "yuv420p",
    ...extra,
    path,
  ]);
  if (made.exitCode !== 0) throw new Error(`ffmpeg could not make ${path}: ${made.stderr.toString()}`);
  return path;
}
