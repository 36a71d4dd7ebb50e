import { createStore } from '../lib/store';

// The DJ's voice: the browser's speech synthesis reads track intros and the
// AI DJ's replies. Off by default; the choice is remembered per browser.

const KEY = 'dj.voice';

export const voiceSupported = typeof window !== 'undefined' && 'speechSynthesis' in window;
export const voiceOn = createStore<boolean>(voiceSupported && localStorage.getItem(KEY) === 'on');

export function setVoice(on: boolean): void {
  localStorage.setItem(KEY, on ? 'on' : 'off');
  voiceOn.set(on);
  if (!on && voiceSupported) window.speechSynthesis.cancel();
}

/** Text fit for speaking: no markdown marks, links or long lists. */
export function speakable(text: string, max = 400): string {
  const plain = text
    .replace(/```[\s\S]*?```/g, ' ')
    .replace(/\[([^\]]+)\]\([^)]*\)/g, '$1')
    .replace(/https?:\/\/\S+/g, '')
    .replace(/[*_`#>|~]/g, '')
    .replace(/\s+/g, ' ')
    .trim();
  if (plain.length <= max) return plain;
  const cut = plain.slice(0, max);
  const end = Math.max(cut.lastIndexOf('. '), cut.lastIndexOf('! '), cut.lastIndexOf('? '));
  return end > max / 2 ? cut.slice(0, end + 1) : `${cut.trimEnd()}…`;
}

export function say(text: string): void {
  if (!voiceSupported || !voiceOn.get()) return;
  const line = speakable(text);
  if (line === '') return;
  const synth = window.speechSynthesis;
  synth.cancel();
  const u = new SpeechSynthesisUtterance(line);
  u.rate = 1.02;
  synth.speak(u);
}

export function trackIntro(name: string, artist: string): string {
  return artist === '' ? `Now playing: ${name}.` : `Now playing: ${name}, by ${artist}.`;
}
