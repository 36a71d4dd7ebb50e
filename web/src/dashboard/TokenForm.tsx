import { useId, useState, type FormEvent } from 'react';

// Asks for the admin token. It is a password field (never shown, never
// autofilled into other forms) and goes only to sessionStorage.

export function TokenForm({ notice, onSubmit }: { notice: string | null; onSubmit: (token: string) => void }) {
  const [value, setValue] = useState('');
  const id = useId();
  const submit = (e: FormEvent): void => {
    e.preventDefault();
    if (value.trim() !== '') onSubmit(value);
  };
  return (
    <form className="card token-form" onSubmit={submit} aria-labelledby={`${id}-title`}>
      <h2 id={`${id}-title`}>Admin token</h2>
      <p className="muted">
        The dashboard reads djd&apos;s live metrics. Enter the token the server was started with (
        <code>DJ_ADMIN_TOKEN</code>). It stays in this tab only.
      </p>
      {notice && (
        <p className="notice" role="alert">
          {notice}
        </p>
      )}
      <label htmlFor={id}>Token</label>
      <input
        id={id}
        type="password"
        autoComplete="off"
        spellCheck={false}
        value={value}
        onChange={(e) => setValue(e.target.value)}
      />
      <button type="submit" className="primary-button" disabled={value.trim() === ''}>
        Open dashboard
      </button>
    </form>
  );
}
