/** The error a trial that failed on every attempt rejects with (the runner records it as failed). */
export function trialFailedError(message: string, attempts: number, log: string | null): Error {
  // Until the runner exports TrialFailedError (issue 16 core), the same shape.
  const e = new Error(message) as Error & { attempts: number; log: string | null };
  e.name = 'TrialFailedError';
  e.attempts = attempts;
  e.log = log;
  return e;
}
