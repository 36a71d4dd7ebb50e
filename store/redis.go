package store

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/redis/go-redis/v9/maintnotifications"
)

// Bounds of the Redis client. A store operation waits for the earlier of its
// context's deadline and redisOpTimeout, and every dial, read and write
// inside it for at most a few seconds, so a caller without a deadline still
// never hangs on a dead or stalled server.
const (
	redisDialTimeout = 2 * time.Second
	redisIOTimeout   = 3 * time.Second
	redisPoolTimeout = 3 * time.Second
	// redisOpTimeout bounds one store operation including go-redis's
	// retries and reconnects.
	redisOpTimeout = 5 * time.Second
	// redisOpenTimeout bounds the PING and version check in Open.
	redisOpenTimeout = 5 * time.Second
	// redisDialAttempts: one quick second try covers a dropped SYN; a
	// refused connection fails in well under a second.
	redisDialAttempts = 2
	// redisMaxRetries: go-redis retries a command once after a network
	// error on a pooled connection (a stale one after a Redis restart).
	// Every store command is idempotent except GETDEL, whose retry can only
	// find the key gone: Take stays at-most-once.
	redisMaxRetries = 1
)

// redisMinMajor.redisMinMinor is the oldest Redis with GETDEL (6.2), on
// which Take's single-use guarantee rests.
const redisMinMajor, redisMinMinor = 6, 2

// redisKeyRoot is the fixed part of every key after Config.RedisPrefix:
// keys look like "<RedisPrefix>dj:sessions:<caller key>".
const redisKeyRoot = "dj:"

// delIfSameScript deletes KEYS[1] only if it still holds exactly ARGV[1].
// Redis runs a script atomically, so no write can land between the compare
// and the delete.
const delIfSameScript = `if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('DEL', KEYS[1])
end
return 0`

// newDelIfSameScript returns the compare-and-delete script. go-redis runs it
// by its SHA1 and loads the source once if the server does not know it.
func newDelIfSameScript() *redis.Script { return redis.NewScript(delIfSameScript) }

// redisBackend is one namespace in a shared Redis server, for cluster mode:
// all nodes see the same sessions and mixes, and Redis expires values
// itself (millisecond precision), so there is no GC loop. The three
// namespaces share one client and differ only in their key prefix.
type redisBackend struct {
	client *redis.Client
	prefix string
	cad    *redis.Script // delIfSameScript
}

// key is the Redis key of a caller key in this namespace.
func (r *redisBackend) key(k string) string { return r.prefix + k }

// bound caps ctx at redisOpTimeout; an earlier caller deadline still wins.
func bound(ctx context.Context) (context.Context, context.CancelFunc) {
	return context.WithTimeout(ctx, redisOpTimeout)
}

func (r *redisBackend) set(ctx context.Context, key string, val []byte, ttl time.Duration) error {
	// go-redis sends PX whenever ttl is not whole seconds, EX otherwise:
	// either way the expiry is exact to the millisecond.
	ctx, cancel := bound(ctx)
	defer cancel()
	return r.client.Set(ctx, r.key(key), val, ttl).Err()
}

func (r *redisBackend) del(ctx context.Context, key string) error {
	ctx, cancel := bound(ctx)
	defer cancel()
	return r.client.Del(ctx, r.key(key)).Err()
}

// found turns a string reply into a stored value; redis.Nil means absent.
func found(val []byte, err error) (stored, bool, error) {
	if errors.Is(err, redis.Nil) {
		return stored{}, false, nil
	}
	if err != nil {
		return stored{}, false, err
	}
	return stored{val: val}, true, nil
}

func (r *redisBackend) get(ctx context.Context, key string) (stored, bool, error) {
	ctx, cancel := bound(ctx)
	defer cancel()
	return found(r.client.Get(ctx, r.key(key)).Bytes())
}

// getDel is one GETDEL: Redis executes commands one at a time, so of any
// number of concurrent takers exactly one gets the value.
func (r *redisBackend) getDel(ctx context.Context, key string) (stored, bool, error) {
	ctx, cancel := bound(ctx)
	defer cancel()
	return found(r.client.GetDel(ctx, r.key(key)).Bytes())
}

// delIfSame compares the bytes: Redis has no version per write, and an
// identical value written again is just as invalid as the one read.
func (r *redisBackend) delIfSame(ctx context.Context, key string, s stored) error {
	ctx, cancel := bound(ctx)
	defer cancel()
	return r.cad.Run(ctx, r.client, []string{r.key(key)}, s.val).Err()
}

// size reports 0: Redis can say the memory of the whole server (INFO) or of
// one key (MEMORY USAGE), but not of a key prefix without scanning every
// key, which is too expensive for every scrape.
func (r *redisBackend) size() (lsm, vlog int64) { return 0, 0 }

// openRedis connects to cfg.RedisAddr and checks that the server answers
// and is recent enough. The caller owns the returned client.
func openRedis(cfg Config) (*redis.Client, error) {
	client := redis.NewClient(&redis.Options{
		Addr:                  cfg.RedisAddr,
		Password:              cfg.RedisPassword,
		DialTimeout:           redisDialTimeout,
		DialerRetries:         redisDialAttempts,
		ReadTimeout:           redisIOTimeout,
		WriteTimeout:          redisIOTimeout,
		PoolTimeout:           redisPoolTimeout,
		ContextTimeoutEnabled: true, // callers' deadlines reach the socket
		MaxRetries:            redisMaxRetries,
		DisableIdentity:       true, // no CLIENT SETINFO round trip per connection
		// Maintenance notifications are a managed-service feature (Redis
		// Enterprise/Cloud); a self-run server does not send them.
		MaintNotificationsConfig: &maintnotifications.Config{Mode: maintnotifications.ModeDisabled},
	})
	ctx, cancel := context.WithTimeout(context.Background(), redisOpenTimeout)
	defer cancel()
	if err := checkRedis(ctx, client); err != nil {
		return nil, errors.Join(fmt.Errorf("store: open redis at %s: %w", cfg.RedisAddr, err), client.Close())
	}
	return client, nil
}

// checkRedis pings the server and checks its version.
func checkRedis(ctx context.Context, client *redis.Client) error {
	if err := client.Ping(ctx).Err(); err != nil {
		return fmt.Errorf("ping: %w", err)
	}
	info, err := client.Info(ctx, "server").Result()
	if err != nil {
		return fmt.Errorf("info: %w", err)
	}
	v, err := redisVersion(info)
	if err != nil {
		return err
	}
	if compareVersion(v, [3]int{redisMinMajor, redisMinMinor, 0}) < 0 {
		return fmt.Errorf("server version %d.%d.%d, need %d.%d or later (GETDEL)",
			v[0], v[1], v[2], redisMinMajor, redisMinMinor)
	}
	return nil
}

// redisVersion finds redis_version in the INFO server text.
func redisVersion(info string) ([3]int, error) {
	var v [3]int
	sc := bufio.NewScanner(strings.NewReader(info))
	for sc.Scan() {
		val, ok := strings.CutPrefix(strings.TrimSpace(sc.Text()), "redis_version:")
		if !ok {
			continue
		}
		parts := strings.SplitN(val, ".", 3)
		for i, p := range parts {
			n, err := strconv.Atoi(p)
			if err != nil {
				return v, fmt.Errorf("unparsable redis_version %q", val)
			}
			v[i] = n
		}
		return v, nil
	}
	return v, errors.New("INFO server has no redis_version")
}

// compareVersion returns -1, 0 or 1 as a is older, equal or newer than b.
func compareVersion(a, b [3]int) int {
	for i := range a {
		switch {
		case a[i] < b[i]:
			return -1
		case a[i] > b[i]:
			return 1
		}
	}
	return 0
}
