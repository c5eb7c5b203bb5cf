// The search form at the top of the Users and Groups pages: one labelled field and "Look up",
// then the page's error and outcome lines (screen readers announce both).
interface LookupFormProps {
  id: string; // of the field, for its label
  label: string;
  value: string;
  onInput: (value: string) => void;
  onSubmit: (event: Event) => void;
  error: string;
  message: string;
}

export function LookupForm({ id, label, value, onInput, onSubmit, error, message }: LookupFormProps) {
  return (
    <>
      <form class="inline" onSubmit={onSubmit} role="search">
        <label for={id}>{label}</label>
        <input
          id={id}
          inputMode="numeric"
          value={value}
          onInput={(e) => onInput((e.target as HTMLInputElement).value)}
        />
        <button type="submit">Look up</button>
      </form>
      {error && <p class="error" role="alert">{error}</p>}
      {message && <p class="note" role="status">{message}</p>}
    </>
  );
}
