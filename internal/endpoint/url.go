package endpoint

import (
	"errors"
	"fmt"
	"net/url"
	"strings"
)

// URL validates a server argument, a host name or host:port without
// scheme or path, and returns its https URL with path.
func URL(value, path string) (*url.URL, error) {
	s := strings.TrimSpace(value)
	switch {
	case s == "":
		return nil, errors.New("the server name is empty")
	case strings.Contains(s, "://"):
		return nil, fmt.Errorf("%q has a scheme; give only the host name or host:port (the provider always uses https and %s)", value, path)
	case strings.ContainsAny(s, "/?#@ "):
		return nil, fmt.Errorf("%q is not a host name or host:port: it has a path, query, user or space", value)
	}
	u, err := url.Parse("https://" + s + path)
	if err != nil || u.Hostname() == "" {
		return nil, fmt.Errorf("%q is not a host name or host:port", value)
	}
	if p := u.Port(); p != "" {
		var n int
		if _, err := fmt.Sscanf(p, "%d", &n); err != nil || n < 1 || n > 65535 {
			return nil, fmt.Errorf("%q has an invalid port %q", value, p)
		}
	}
	return u, nil
}
