/** Counts per time bucket as bars; the same numbers are in a table for screen readers. */
export function Histogram(props: {
  label: string;
  buckets: ReadonlyArray<{ time: string; count: number }>;
}) {
  const max = Math.max(1, ...props.buckets.map((b) => b.count));
  const width = 100 / Math.max(1, props.buckets.length);
  return (
    <figure class="histogram">
      <svg
        viewBox="0 0 100 40"
        preserveAspectRatio="none"
        role="img"
        aria-label={`${props.label}: ${props.buckets.reduce((n, b) => n + b.count, 0)} in ${props.buckets.length} buckets`}
      >
        {props.buckets.map((b, i) => (
          <rect
            key={b.time}
            x={i * width + width * 0.1}
            width={width * 0.8}
            y={40 - (b.count / max) * 40}
            height={(b.count / max) * 40}
            data-count={b.count}
          >
            <title>
              {b.time}: {b.count}
            </title>
          </rect>
        ))}
      </svg>
      <figcaption>{props.label}</figcaption>
    </figure>
  );
}
