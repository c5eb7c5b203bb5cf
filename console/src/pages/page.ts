import { useState } from 'preact/hooks';
import type { Api } from '../lib/api';

export interface PageProps {
  api: Api;
  // Called with every failed call, so that the shell can ask for the password again on a 401.
  onError: (error: unknown) => void;
}

export function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

// A page's error line and the wrapper its actions run in: clears the line, runs the action, and
// on failure tells the shell (onError) and shows why.
export function useAction(onError: (error: unknown) => void) {
  const [error, setError] = useState('');
  const run = async (action: () => Promise<void>) => {
    setError('');
    try {
      await action();
    } catch (e) {
      onError(e);
      setError(errorText(e));
    }
  };
  return { error, setError, run };
}
