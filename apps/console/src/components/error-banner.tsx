import { ApiError } from '../api';

/** Shows an API error as the API said it: code, message and the fields it names. */
export function ErrorBanner({ error }: { error: unknown }) {
  if (error === null || error === undefined) return null;
  const e =
    error instanceof ApiError ? error : new ApiError(0, 'console_error', String(error as string));
  return (
    <div class="error" role="alert">
      <strong class="error-code">{e.code}</strong>: <span class="error-message">{e.message}</span>
      {e.fields.length > 0 && (
        <ul>
          {e.fields.map((f) => (
            <li key={f.path}>
              {f.path}: {f.message}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
