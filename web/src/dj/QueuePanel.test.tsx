import { fireEvent, render, screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { useState } from 'react';
import { describe, expect, test, vi } from 'vitest';
import type { QueuedTrack } from '../api/types';
import { removeAt, reorderQueue } from '../mix/queue';
import { QueuePanel } from './QueuePanel';

const tracks = (...names: string[]): QueuedTrack[] =>
  names.map((n, i) => ({ addedBy: i === 0 ? 'user' : 'ai', artist: `${n} artist`, name: n, position: i, trackId: n, trackUri: `spotify:track:${n}`, vibeScore: 81, reason: `why ${n}` }));

/** The panel wired to local state, as the DJ page wires it to the mix store. */
function Harness({ onMove }: { onMove: (from: number, to: number) => void }) {
  const [queue, setQueue] = useState(tracks('Alpha', 'Bravo', 'Charlie'));
  return (
    <QueuePanel
      queue={queue}
      onMove={(f, t) => {
        onMove(f, t);
        setQueue((q) => reorderQueue(q, f, t));
      }}
      onRemove={(i) => setQueue((q) => removeAt(q, i))}
    />
  );
}

const order = () => screen.getAllByTestId('queue-item-name').map((e) => e.textContent);

describe('QueuePanel', () => {
  test('shows position, badges, score and reason', () => {
    render(<QueuePanel queue={tracks('Alpha', 'Bravo')} onMove={vi.fn()} onRemove={vi.fn()} />);
    expect(screen.getByRole('heading', { name: 'Up next' })).toBeTruthy();
    expect(screen.getByText('You')).toBeTruthy();
    expect(screen.getByText('AI')).toBeTruthy();
    expect(screen.getByText('81% match')).toBeTruthy();
    expect(screen.getByText('why Bravo')).toBeTruthy();
  });

  test('the queued track that is playing now is marked, and only that one', () => {
    const { rerender } = render(
      <QueuePanel queue={tracks('Alpha', 'Bravo')} playingUri="spotify:track:Alpha" onMove={vi.fn()} onRemove={vi.fn()} />,
    );
    const rows = screen.getAllByTestId('queue-item');
    expect(rows[0]?.getAttribute('aria-current')).toBe('true');
    expect(rows[1]?.getAttribute('aria-current')).toBeNull();
    expect(screen.getAllByText('Playing now')).toHaveLength(1);
    rerender(<QueuePanel queue={tracks('Alpha', 'Bravo')} playingUri="spotify:track:elsewhere" onMove={vi.fn()} onRemove={vi.fn()} />);
    expect(screen.queryByText('Playing now')).toBeNull();
  });

  test('keyboard: Space picks up, arrows move, Space drops — one server move, focus kept', async () => {
    const user = userEvent.setup();
    const onMove = vi.fn();
    render(<Harness onMove={onMove} />);
    const grip = screen.getByRole('button', { name: 'Reorder Alpha' });
    grip.focus();
    await user.keyboard(' ');
    expect(grip.getAttribute('aria-pressed')).toBe('true');
    await user.keyboard('{ArrowDown}{ArrowDown}');
    expect(order()).toEqual(['Bravo', 'Charlie', 'Alpha']);
    expect(onMove).not.toHaveBeenCalled();
    await user.keyboard(' ');
    expect(onMove).toHaveBeenCalledExactlyOnceWith(0, 2);
    expect(order()).toEqual(['Bravo', 'Charlie', 'Alpha']);
    expect(document.activeElement).toBe(screen.getByRole('button', { name: 'Reorder Alpha' }));
    expect(screen.getByText(/Alpha moved to position 3 of 3/)).toBeTruthy();
  });

  test('keyboard: Escape cancels the move', async () => {
    const user = userEvent.setup();
    const onMove = vi.fn();
    render(<Harness onMove={onMove} />);
    screen.getByRole('button', { name: 'Reorder Bravo' }).focus();
    await user.keyboard(' {ArrowUp}{Escape}');
    expect(onMove).not.toHaveBeenCalled();
    expect(order()).toEqual(['Alpha', 'Bravo', 'Charlie']);
  });

  test('move buttons and remove; the first and last rows cannot move past the ends', async () => {
    const user = userEvent.setup();
    const onMove = vi.fn();
    render(<Harness onMove={onMove} />);
    expect((screen.getByRole('button', { name: 'Move Alpha up' }) as HTMLButtonElement).disabled).toBe(true);
    expect((screen.getByRole('button', { name: 'Move Charlie down' }) as HTMLButtonElement).disabled).toBe(true);
    await user.click(screen.getByRole('button', { name: 'Move Charlie up' }));
    expect(onMove).toHaveBeenCalledWith(2, 1);
    expect(order()).toEqual(['Alpha', 'Charlie', 'Bravo']);
    await user.click(screen.getByRole('button', { name: 'Remove Alpha' }));
    expect(order()).toEqual(['Charlie', 'Bravo']);
  });

  test('pointer drag moves the row to where it is dropped', () => {
    const onMove = vi.fn();
    render(<Harness onMove={onMove} />);
    const rows = screen.getAllByTestId('queue-item');
    rows.forEach((r, i) => {
      r.getBoundingClientRect = () => ({ top: i * 50, height: 50, bottom: i * 50 + 50, left: 0, right: 300, width: 300, x: 0, y: i * 50, toJSON: () => ({}) });
    });
    const grip = screen.getByRole('button', { name: 'Reorder Alpha' });
    grip.setPointerCapture = () => undefined;
    fireEvent.pointerDown(grip, { button: 0, pointerId: 1, clientY: 25 });
    fireEvent.pointerMove(grip, { pointerId: 1, clientY: 90 });
    expect(order()).toEqual(['Bravo', 'Alpha', 'Charlie']);
    fireEvent.pointerUp(grip, { pointerId: 1, clientY: 90 });
    expect(onMove).toHaveBeenCalledExactlyOnceWith(0, 1);
  });

  test('empty queue explains what fills it', () => {
    render(<QueuePanel queue={[]} onMove={vi.fn()} onRemove={vi.fn()} />);
    expect(screen.getByText(/queue is empty/i)).toBeTruthy();
  });
});
