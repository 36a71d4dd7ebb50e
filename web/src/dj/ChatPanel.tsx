import { useEffect, useId, useRef, useState, type FormEvent, type KeyboardEvent } from 'react';
import { type ChatMessage, type ChatPart, type ToolUse, toolLabel } from '../chat/store';
import { Icon } from '../components/Icon';

const STARTERS = ['Why does the next track fit?', 'Queue something upbeat from the 80s', 'What is playing right now?'];

interface Props {
  messages: ChatMessage[];
  busy: boolean;
  onSend(text: string): void;
  onStop(): void;
}

export function ChatPanel({ messages, busy, onSend, onStop }: Props) {
  const [text, setText] = useState('');
  const inputId = useId();
  const logRef = useRef<HTMLOListElement>(null);

  useEffect(() => {
    const el = logRef.current;
    if (el) el.scrollTop = el.scrollHeight;
  }, [messages]);

  const send = (value: string): void => {
    if (busy || value.trim() === '') return;
    onSend(value);
    setText('');
  };
  const submit = (e: FormEvent): void => {
    e.preventDefault();
    send(text);
  };
  const onKey = (e: KeyboardEvent<HTMLTextAreaElement>): void => {
    if (e.key === 'Enter' && !e.shiftKey && !e.nativeEvent.isComposing) {
      e.preventDefault();
      send(text);
    }
  };

  return (
    <section className="card chat" aria-labelledby="chat-title">
      <div className="card-head">
        <h2 id="chat-title">Talk to the DJ</h2>
      </div>
      <ol className="chat-log" ref={logRef} role="log" aria-live="polite" aria-label="Conversation" tabIndex={0}>
        {messages.length === 0 && (
          <li className="chat-empty">
            <p className="muted">Ask for a track, a change of mood or why something was picked.</p>
            <div className="starters">
              {STARTERS.map((s) => (
                <button key={s} type="button" className="preset" disabled={busy} onClick={() => send(s)}>
                  {s}
                </button>
              ))}
            </div>
          </li>
        )}
        {messages.map((m) => (
          <li key={m.id} className={`msg msg-${m.role}`} data-testid={`chat-${m.role}`}>
            <span className="sr-only">{m.role === 'user' ? 'You:' : 'DJ:'}</span>
            {groupParts(m.parts).map((g, i) =>
              g.kind === 'text' ? (
                <p key={i} className="msg-text">
                  {g.text}
                </p>
              ) : (
                <ul key={i} className="tools" aria-label="DJ tools">
                  {g.tools.map((t, j) => (
                    <li key={j} className={`tool ${t.failed ? 'failed' : t.done ? 'done' : 'running'}`}>
                      <span className="tool-dot" aria-hidden="true" />
                      {toolLabel(t.tool)}
                      {t.done ? (t.result ? ` — ${t.result}` : ' — done') : '…'}
                    </li>
                  ))}
                </ul>
              ),
            )}
            {m.status === 'streaming' && (
              <p className="msg-activity muted">
                <span className="typing" aria-hidden="true" />
                {m.activity ?? (m.text === '' ? 'The DJ is thinking…' : '')}
              </p>
            )}
            {m.error && (
              <p className="error-text" role={m.status === 'error' ? 'alert' : undefined}>
                {m.error}
              </p>
            )}
          </li>
        ))}
      </ol>
      <form className="chat-form" onSubmit={submit}>
        <label htmlFor={inputId} className="sr-only">
          Message to the DJ
        </label>
        <textarea
          id={inputId}
          rows={2}
          value={text}
          maxLength={2000}
          placeholder="Message the DJ (Enter to send, Shift+Enter for a new line)"
          onChange={(e) => setText(e.target.value)}
          onKeyDown={onKey}
        />
        {busy ? (
          <button type="button" className="secondary-button" onClick={onStop}>
            <Icon name="stop" size={16} />
            Stop
          </button>
        ) : (
          <button type="submit" className="primary-button" disabled={text.trim() === ''}>
            <Icon name="send" size={16} />
            Send
          </button>
        )}
      </form>
    </section>
  );
}

type Group = { kind: 'text'; text: string } | { kind: 'tools'; tools: ToolUse[] };

/** Text runs as paragraphs, and each run of tool calls as one list, in stream order. */
function groupParts(parts: ChatPart[]): Group[] {
  const out: Group[] = [];
  for (const p of parts) {
    if (p.kind === 'text') {
      if (p.text !== '') out.push({ kind: 'text', text: p.text });
      continue;
    }
    const { kind: _, ...use } = p;
    const last = out.at(-1);
    if (last?.kind === 'tools') last.tools.push(use);
    else out.push({ kind: 'tools', tools: [use] });
  }
  return out;
}
