// The longest wait a Node timer keeps: a longer delay fires after 1 ms (with a
// TimeoutOverflowWarning), so a timeout or a backoff beyond it is refused up front.
export const longestTimerMs = 2 ** 31 - 1;
