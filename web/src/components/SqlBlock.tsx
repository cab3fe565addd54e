import hljs from "highlight.js/lib/core";
import sql from "highlight.js/lib/languages/sql";
import python from "highlight.js/lib/languages/python";
import { useMemo, useState } from "preact/hooks";

hljs.registerLanguage("sql", sql);
hljs.registerLanguage("python", python);

interface Props {
  raw: string | null;
  compiled: string | null;
  language: string | null;
}

// Raw and compiled code of a dbt node, highlighted (highlight.js escapes the
// text it is given, so its output is safe to insert).
export function SqlBlock({ raw, compiled, language }: Props) {
  const tabs = [
    { key: "raw", label: "Source", code: raw },
    { key: "compiled", label: "Compiled", code: compiled },
  ].filter((tab) => tab.code);
  const [active, setActive] = useState(tabs[0]?.key ?? "raw");
  const tab = tabs.find((t) => t.key === active) ?? tabs[0];
  const lang = language === "python" ? "python" : "sql";
  const html = useMemo(
    () => (tab?.code ? hljs.highlight(tab.code, { language: lang }).value : ""),
    [tab?.code, lang],
  );
  if (!tab) return <p class="muted">No code (not compiled by the last dbt command).</p>;
  return (
    <div class="code-block">
      <div class="tabs" role="tablist">
        {tabs.map((t) => (
          <button
            role="tab"
            aria-selected={t.key === tab.key}
            class={t.key === tab.key ? "tab active" : "tab"}
            onClick={() => setActive(t.key)}
            key={t.key}
          >
            {t.label}
          </button>
        ))}
      </div>
      <pre>
        <code class={`hljs language-${lang}`} dangerouslySetInnerHTML={{ __html: html }} />
      </pre>
    </div>
  );
}
