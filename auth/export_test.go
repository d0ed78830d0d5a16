package auth

// WithClock sets the Session's clock, so that tests can move time to a
// token's renewal without sleeping.
var WithClock = withClock

// Waiting counts the callers waiting for the sign-in under way.
func Waiting(s *Session) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.waiting
}
