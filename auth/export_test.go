package auth

import "time"

// WithClock sets the Session's clock, so that tests can move time to a
// token's renewal without sleeping.
func WithClock(now func() time.Time) Option {
	return func(s *Session) { s.now = now }
}

// Waiting counts the callers waiting for the sign-in under way.
func Waiting(s *Session) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.waiting
}
