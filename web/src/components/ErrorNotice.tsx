export function ErrorNotice({ message, requestId, onRetry }: { message: string; requestId?: string | undefined; onRetry?: () => void }) {
  return (
    <div className="error-notice" role="alert">
      <p>{message}</p>
      {requestId && <p className="request-id">Request ID: {requestId}</p>}
      {onRetry && (
        <button type="button" className="secondary-button" onClick={onRetry}>
          Try again
        </button>
      )}
    </div>
  );
}
