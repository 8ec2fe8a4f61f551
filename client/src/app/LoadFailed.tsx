import type { ReactNode } from 'react';

/**
 * A load that failed, said where its content would have been (an alert, so a screen reader
 * hears it too), with the way to try again beside it.
 */
export function LoadFailed(props: { message: ReactNode; retry: string; onRetry: () => void }) {
  return (
    <div className="alert alert--error" role="alert">
      <p>{props.message}</p>
      <button type="button" className="button button--secondary" onClick={props.onRetry}>
        {props.retry}
      </button>
    </div>
  );
}
