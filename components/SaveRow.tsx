"use client";
// A settings form's Save button and the line beside it that says how the save went.

/** How the last save went: shown green when it worked, red (the reason) when it did not. */
export interface SaveMessage {
  ok: boolean;
  text: string;
}

export function SaveRow({ pending, onSave, msg }: { pending: boolean; onSave: () => void; msg: SaveMessage | null }) {
  return (
    <div className="mt-3 flex items-center gap-3">
      <button className="btn-primary" disabled={pending} onClick={onSave}>
        Save
      </button>
      {msg && (
        <span role="status" className={`text-sm ${msg.ok ? "text-emerald-700" : "text-rose-700"}`}>
          {msg.text}
        </span>
      )}
    </div>
  );
}
