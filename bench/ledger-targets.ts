/**
 * The targets the ledger figures are held to, and the notes printed next to them saying
 * whether each was met. The file-system store is judged against the raw write + rename rate of
 * its disk in the same run, since disk speed swings several-fold from one run to the next.
 *
 * @module
 */

/** Sequential transfers per second on the memory store: the ledger's own cost, no disk. */
export const MEMORY_TRANSFERS_PER_SECOND_MIN = 20_000;

/**
 * Sequential fs transfers per second as a fraction of the raw write + rename rate: a transfer
 * may cost at most as much as four bare writes of a small file.
 */
export const FS_RAW_RATIO_MIN = 0.25;

/** The last window of a long run may be this many times slower than the first, no more. */
export const LAST_WINDOW_SLOWDOWN_MAX = 1.5;

/**
 * @param perSecond - sequential transfers per second on the memory store
 * @returns the note for the figure
 */
export function memoryRateNote(perSecond: number): string {
  const met = perSecond >= MEMORY_TRANSFERS_PER_SECOND_MIN;
  return `target ≥ ${MEMORY_TRANSFERS_PER_SECOND_MIN.toLocaleString('en')} /s: ${verdict(met)}`;
}

/**
 * @param perSecond - sequential transfers per second on an fs store
 * @param rawPerSecond - the raw write + rename rate around the same run
 * @returns the note for the figure, with a third decimal so that a near miss reads as one
 */
export function rawRatioNote(perSecond: number, rawPerSecond: number): string {
  const ratio = perSecond / rawPerSecond;
  const target = `target ≥ ${FS_RAW_RATIO_MIN} × raw`;
  return `= ${ratio.toFixed(3)} × raw; ${target}: ${verdict(ratio >= FS_RAW_RATIO_MIN)}`;
}

/**
 * @param perSecond - transfers per second on an fs store
 * @param rawPerSecond - the raw write + rename rate around the same run
 * @returns the ratio, written for a note with no target
 */
export function ratioText(perSecond: number, rawPerSecond: number): string {
  return `= ${(perSecond / rawPerSecond).toFixed(2)} × raw`;
}

/**
 * @param lastMeanMs - the mean milliseconds of the last window of a long run
 * @param firstMeanMs - the mean milliseconds of its first window
 * @returns the note for the last window's figure
 */
export function slowdownNote(lastMeanMs: number, firstMeanMs: number): string {
  const slowdown = lastMeanMs / firstMeanMs;
  const met = slowdown <= LAST_WINDOW_SLOWDOWN_MAX;
  const target = `target ≤ ${LAST_WINDOW_SLOWDOWN_MAX} × first`;
  return `= ${slowdown.toFixed(2)} × first; ${target}: ${verdict(met)}`;
}

function verdict(met: boolean): 'met' | 'missed' {
  return met ? 'met' : 'missed';
}
