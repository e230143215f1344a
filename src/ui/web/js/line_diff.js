// The lines two texts differ by, as a unified list: [{ kind: ' ' | '-' | '+', text }]. A longest
// common subsequence over lines; texts too long for it (more than ~4 million line pairs after
// their common head and tail) are shown as all removed then all added.
const MAX_PAIRS = 4_000_000;

export function lineDiff(before, after) {
  const a = before.split('\n');
  const b = after.split('\n');
  let head = 0;
  while (head < a.length && head < b.length && a[head] === b[head]) head++;
  let tail = 0;
  while (tail < a.length - head && tail < b.length - head && a[a.length - 1 - tail] === b[b.length - 1 - tail]) tail++;
  const x = a.slice(head, a.length - tail);
  const y = b.slice(head, b.length - tail);
  const out = a.slice(0, head).map((text) => ({ kind: ' ', text }));
  if (x.length * y.length > MAX_PAIRS) {
    out.push(...x.map((text) => ({ kind: '-', text })), ...y.map((text) => ({ kind: '+', text })));
  } else {
    // lcs[i][j]: the common length of x[i..] and y[j..].
    const lcs = Array.from({ length: x.length + 1 }, () => new Uint32Array(y.length + 1));
    for (let i = x.length - 1; i >= 0; i--) {
      for (let j = y.length - 1; j >= 0; j--) {
        lcs[i][j] = x[i] === y[j] ? lcs[i + 1][j + 1] + 1 : Math.max(lcs[i + 1][j], lcs[i][j + 1]);
      }
    }
    let i = 0;
    let j = 0;
    while (i < x.length || j < y.length) {
      if (i < x.length && j < y.length && x[i] === y[j]) {
        out.push({ kind: ' ', text: x[i++] });
        j++;
      } else if (j < y.length && (i === x.length || lcs[i][j + 1] >= lcs[i + 1][j])) {
        out.push({ kind: '+', text: y[j++] });
      } else {
        out.push({ kind: '-', text: x[i++] });
      }
    }
  }
  out.push(...a.slice(a.length - tail).map((text) => ({ kind: ' ', text })));
  return out;
}
