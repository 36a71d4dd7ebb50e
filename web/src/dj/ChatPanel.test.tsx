import { render, screen, within } from '@testing-library/react';
import { describe, expect, test, vi } from 'vitest';
import type { ChatMessage } from '../chat/store';
import { ChatPanel } from './ChatPanel';

const reply: ChatMessage = {
  id: 2,
  role: 'assistant',
  text: 'Digging for house…Queued Neon & Gravity.',
  parts: [
    { kind: 'text', text: 'Digging for house…' },
    { kind: 'tool', tool: 'search_spotify_tracks', done: true, result: 'Found 5 tracks' },
    { kind: 'tool', tool: 'add_to_queue', done: true, result: 'The queue is full', failed: true },
    { kind: 'text', text: 'Queued Neon & Gravity.' },
  ],
  status: 'done',
};

describe('ChatPanel', () => {
  test('a reply shows its text runs and tool calls in the order they streamed', () => {
    render(<ChatPanel messages={[reply]} busy={false} onSend={vi.fn()} onStop={vi.fn()} />);
    const item = screen.getByTestId('chat-assistant');
    const blocks = [...item.querySelectorAll('.msg-text, .tools')].map((e) => e.className);
    expect(blocks).toEqual(['msg-text', 'tools', 'msg-text']);
    const texts = [...item.querySelectorAll('.msg-text')].map((e) => e.textContent);
    expect(texts.join('')).toBe(reply.text);
    const tools = within(item).getByRole('list', { name: 'DJ tools' });
    expect(within(tools).getByText('Searching Spotify — Found 5 tracks')).toBeTruthy();
    expect(within(tools).getByText('Adding to the queue — The queue is full').className).toContain('failed');
  });
});
