import { useState } from "preact/hooks";
import { Chips } from "./Badges";

interface Props {
  label: string;
  values: string[];
  editable: boolean;
  edited?: string; // who edited it, when a person did
  onSave: (values: string[]) => Promise<void>;
}

// Tags or owners: shown as chips, edited as a comma-separated list.
export function EditableList({ label, values, editable, edited, onSave }: Props) {
  const [editing, setEditing] = useState(false);
  const [text, setText] = useState("");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState("");

  const start = () => {
    setText(values.join(", "));
    setError("");
    setEditing(true);
  };
  const save = async (event: Event) => {
    event.preventDefault();
    setBusy(true);
    try {
      const next = text
        .split(",")
        .map((value) => value.trim())
        .filter((value, index, all) => value && all.indexOf(value) === index);
      await onSave(next);
      setEditing(false);
    } catch (caught) {
      setError((caught as Error).message);
    } finally {
      setBusy(false);
    }
  };

  return (
    <div class="editable" data-field={label.toLowerCase()}>
      <span class="label">{label}</span>
      {editing ? (
        <form onSubmit={save} class="inline-form">
          <input
            aria-label={`${label}, separated by commas`}
            value={text}
            onInput={(e) => setText((e.target as HTMLInputElement).value)}
            autoFocus
          />
          <button type="submit" disabled={busy}>
            Save
          </button>
          <button type="button" class="secondary" onClick={() => setEditing(false)}>
            Cancel
          </button>
          {error && <span class="error-text">{error}</span>}
        </form>
      ) : (
        <>
          <Chips values={values} />
          {edited && <span class="muted edited"> edited by {edited}</span>}
          {editable && (
            <button class="link-button" onClick={start} aria-label={`Edit ${label.toLowerCase()}`}>
              Edit
            </button>
          )}
        </>
      )}
    </div>
  );
}
