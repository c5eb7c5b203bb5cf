import type { Api } from '../lib/api';

export interface PageProps {
  api: Api;
  // Called with every failed call, so that the shell can ask for the password again on a 401.
  onError: (error: unknown) => void;
}

export function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
