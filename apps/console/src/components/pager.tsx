import { useState } from 'preact/hooks';

/** Previous and next page buttons of a cursor-paginated list. */
export function Pager(props: {
  hasPrevious: boolean;
  hasNext: boolean;
  onPrevious: () => void;
  onNext: () => void;
}) {
  return (
    <nav class="pager" aria-label="Pages">
      <button type="button" disabled={!props.hasPrevious} onClick={props.onPrevious}>
        Previous page
      </button>
      <button type="button" disabled={!props.hasNext} onClick={props.onNext}>
        Next page
      </button>
    </nav>
  );
}

/** The cursor of the page shown and the cursors of the pages before it, for `Pager`. */
export function useCursorHistory() {
  const [cursor, setCursor] = useState<string | null>(null);
  const [history, setHistory] = useState<Array<string | null>>([]);
  return {
    cursor,
    hasPrevious: history.length > 0,
    previous: () => {
      setCursor(history[history.length - 1] ?? null);
      setHistory(history.slice(0, -1));
    },
    next: (nextCursor: string | null) => {
      setHistory([...history, cursor]);
      setCursor(nextCursor);
    },
    /** Back to the first page, e.g. when the list's filters change. */
    reset: () => {
      setCursor(null);
      setHistory([]);
    },
  };
}
