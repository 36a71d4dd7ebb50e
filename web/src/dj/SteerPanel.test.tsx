import { render, screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, test, vi } from 'vitest';
import { PRESETS, SteerPanel } from './SteerPanel';

describe('SteerPanel', () => {
  test('presets and free text steer; every control is disabled while a steer runs', async () => {
    const user = userEvent.setup();
    const onSteer = vi.fn();
    const { rerender } = render(<SteerPanel state={{ running: false, lines: [] }} vibe={null} onSteer={onSteer} />);
    await user.click(screen.getByRole('button', { name: 'More energy' }));
    await user.type(screen.getByLabelText('Steer in your own words'), 'more acoustic guitar{Enter}');
    expect(onSteer.mock.calls).toEqual([['More energy'], ['more acoustic guitar']]);

    rerender(
      <SteerPanel
        state={{ running: true, lines: [{ kind: 'you', text: 'Go 90s' }, { kind: 'progress', text: 'Digging…' }] }}
        vibe={null}
        onSteer={onSteer}
      />,
    );
    for (const p of PRESETS) expect((screen.getByRole('button', { name: p }) as HTMLButtonElement).disabled).toBe(true);
    expect((screen.getByRole('button', { name: 'Steering…' }) as HTMLButtonElement).disabled).toBe(true);
    expect(screen.getByText('You: Go 90s')).toBeTruthy();

    rerender(<SteerPanel state={{ running: false, lines: [{ kind: 'done', text: 'Vibes adjusted!' }] }} vibe={null} onSteer={onSteer} />);
    expect((screen.getByRole('button', { name: 'More energy' }) as HTMLButtonElement).disabled).toBe(false);
    expect(screen.getByRole('button', { name: 'Steer' })).toBeTruthy();
  });
});
