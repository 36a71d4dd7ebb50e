import { useMemo } from 'react';
import { describeStatus } from '../components/ConnectionStatus';
import { ActorsTable } from '../dashboard/ActorsTable';
import { admin, adminClient } from '../dashboard/admin';
import { ChartCard } from '../dashboard/ChartCard';
import type { FeedStatus } from '../dashboard/feed';
import { LanesCard } from '../dashboard/LanesCard';
import { dashboardView } from '../dashboard/model';
import { StoreCard } from '../dashboard/StoreCard';
import { StreamsCard } from '../dashboard/StreamsCard';
import { Tiles } from '../dashboard/Tiles';
import { TokenForm } from '../dashboard/TokenForm';
import { useFeed } from '../dashboard/useFeed';
import { WindowCard } from '../dashboard/WindowCard';
import { useNow } from '../lib/useNow';
import { useStore } from '../lib/store';

// The operator's view of the actor system, fed once a second by the admin
// metrics stream: headline tiles, then the limits (window, lanes), the
// actors (count, rate, latency, mailboxes), streams and store.

function FeedState({ status }: { status: FeedStatus }) {
  const now = useNow(1000, status.state === 'reconnecting');
  if (status.state === 'disabled') return null;
  const { tone, text } = describeStatus(status, now);
  return (
    <div className={`conn conn-${tone}`} role="status" aria-live="polite">
      <span className="conn-dot" aria-hidden="true" />
      <span className="conn-text">{text}</span>
    </div>
  );
}

export function DashboardPage() {
  const token = useStore(admin.token);
  const notice = useStore(admin.notice);
  const { frames, status } = useFeed(adminClient, token);
  const view = useMemo(() => dashboardView(frames), [frames]);

  const head = (
    <div className="page-head">
      <div>
        <h1>Actor system</h1>
        <p className="muted">djd&apos;s live metrics, once a second. The same figures are on /metrics.</p>
      </div>
      {token !== null && (
        <div className="dash-actions">
          <FeedState status={status} />
          {view && <span className="muted small">Updated {view.updated} UTC</span>}
          <button type="button" className="ghost-button" onClick={() => admin.clear()}>
            Forget token
          </button>
        </div>
      )}
    </div>
  );

  if (token === null) {
    return (
      <div className="page dashboard-page">
        {head}
        <TokenForm notice={notice} onSubmit={(t) => admin.set(t)} />
      </div>
    );
  }
  if (status.state === 'disabled') {
    return (
      <div className="page dashboard-page">
        {head}
        <p className="card empty" role="alert">
          This server has no admin dashboard: start djd with <code>DJ_ADMIN_TOKEN</code> set to turn it on.
        </p>
      </div>
    );
  }
  if (view === null) {
    return (
      <div className="page dashboard-page">
        {head}
        <p className="page-status" role="status">
          Waiting for the first figures…
        </p>
      </div>
    );
  }
  return (
    <div className="page dashboard-page">
      {head}
      <Tiles tiles={view.tiles} />
      <div className="dash-grid">
        <WindowCard window={view.window} />
        <LanesCard lanes={view.lanes} chart={view.charts.lanes} />
        <ChartCard title="Actors alive by kind" chart={view.charts.actors} />
        <ChartCard title="Messages per second by kind" chart={view.charts.rates} />
        <ChartCard title="p99 handling time by kind" chart={view.charts.latency} empty="No messages in the last second." />
        <ChartCard title="Mailbox depth by kind" chart={view.charts.mailboxes} />
        <StreamsCard rows={view.streams} chart={view.charts.streams} />
        <StoreCard rows={view.store} />
        <ActorsTable rows={view.actors} />
      </div>
    </div>
  );
}
