// Shapes of the djd API the SPA uses, as djd sends them (docs/api.md; the
// reference's anchor-api §5, §7, §8 with dj's deviations: opaque session
// token, problem JSON errors). Fields djd sends that the SPA does not use
// (the mix's fallbackPool, signals, tasteModel, …) are left out.

export interface Health {
  status: string;
  version: string;
  upstream: 'sim' | 'real';
  uptime_seconds: number;
  simulator?: string;
  demo_users?: string[];
}

export interface AuthUrl {
  url: string;
}

export interface TokenGrant {
  token: string;
  expires_in: number;
}

export interface Image {
  url: string;
  height: number | null;
  width: number | null;
}

export interface Playlist {
  id: string;
  name: string;
  description: string | null;
  images: Image[] | null;
  owner: { display_name?: string | null; id: string };
  tracks: { total: number };
}

export interface Paging<T> {
  items: T[];
  next: string | null;
  offset: number;
  limit: number;
  total: number;
}

export interface VibeProfile {
  bpmRange: { min: number; max: number };
  energyDirection: 'building' | 'steady' | 'winding_down';
  energyLevel: number;
  era: { start: number; end: number };
  genres: string[];
  mood: string[];
}

export interface QueuedTrack {
  addedBy: 'user' | 'ai';
  albumArt?: string;
  artist: string;
  name: string;
  position: number;
  reason?: string;
  trackId: string;
  trackUri: string;
  vibeScore: number;
}

export interface PlayedTrack {
  albumArt?: string;
  artist: string;
  bpm: number | null;
  energy: number | null;
  name: string;
  playedAt: string;
  trackId: string;
  trackUri: string;
}

export interface SessionPreferences {
  autoFill: boolean;
  avoidGenres: string[];
  bpmLock: { min: number; max: number } | null;
  favoriteArtists: string[];
}

export interface MixSession {
  id: string;
  userId: string;
  createdAt: string;
  updatedAt: string;
  vibe: VibeProfile;
  queue: QueuedTrack[];
  /** Newest first. */
  history: PlayedTrack[];
  preferences: SessionPreferences;
}

export interface Suggestion {
  albumArt?: string;
  artist: string;
  bpm: number | null;
  name: string;
  reason: string;
  trackId: string;
  trackUri: string;
  vibeScore: number;
}

export interface Suggestions {
  basedOn: { currentTrack?: string; vibeProfile: string };
  suggestions: Suggestion[];
}

export interface QueueReply {
  queue: QueuedTrack[];
  success: boolean;
}

export interface SavedMix {
  playlistId: string;
  playlistUrl: string;
  success: boolean;
  trackCount: number;
}

export interface ChatTurn {
  role: 'user' | 'assistant';
  content: string;
}
