// Descriptions are Markdown (dbt renders doc() blocks into them at parse
// time); they are sanitised before they reach the page, since anyone who can
// write a dbt project or an edit writes them.
import DOMPurify from "dompurify";
import { marked } from "marked";
import { useMemo } from "preact/hooks";

export function Markdown({ text, empty }: { text: string; empty?: string }) {
  const html = useMemo(
    () => DOMPurify.sanitize(marked.parse(text, { async: false, gfm: true }) as string),
    [text],
  );
  if (!text.trim()) return <p class="muted">{empty ?? "No description."}</p>;
  return <div class="markdown" dangerouslySetInnerHTML={{ __html: html }} />;
}
