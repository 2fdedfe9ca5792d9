package simulator

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
)

// NSX's search API (GET /policy/api/v1/search/query?query=...): a Lucene
// query over every policy object, fields named as in the API, nested
// fields with dots ("attachment.id"), reserved characters escaped with a
// backslash ("display_name:*\/name.vmx*"), one page of page_size results
// (default 1000) with a cursor for the next (NSX-T Data Center REST API,
// "Search API"; the queries of vmware-tanzu/nsx-operator and the vSphere
// cloud provider). The simulator answers the subset the provider and
// those integrations use: field:value terms (a trailing or leading *
// matches any run), field:(a OR b), AND, OR, NOT and parentheses;
// anything else is a 400.

type nsxQuery interface {
	match(fields map[string][]string) bool
}

type (
	nsxAnd  []nsxQuery
	nsxOr   []nsxQuery
	nsxNot  struct{ q nsxQuery }
	nsxTerm struct{ field, value string }
)

func (a nsxAnd) match(f map[string][]string) bool {
	for _, q := range a {
		if !q.match(f) {
			return false
		}
	}
	return true
}

func (o nsxOr) match(f map[string][]string) bool {
	for _, q := range o {
		if q.match(f) {
			return true
		}
	}
	return false
}

func (n nsxNot) match(f map[string][]string) bool { return !n.q.match(f) }

func (t nsxTerm) match(f map[string][]string) bool {
	for _, v := range f[t.field] {
		if wildcardMatch(t.value, v) {
			return true
		}
	}
	return false
}

// wildcardMatch: pattern's unescaped * (kept as \x00 by unescape) match
// any run of characters.
func wildcardMatch(pattern, v string) bool {
	parts := strings.Split(pattern, "\x00")
	if len(parts) == 1 {
		return pattern == v
	}
	if !strings.HasPrefix(v, parts[0]) {
		return false
	}
	v = v[len(parts[0]):]
	for i, p := range parts[1:] {
		if i == len(parts)-2 {
			return strings.HasSuffix(v, p)
		}
		j := strings.Index(v, p)
		if j < 0 {
			return false
		}
		v = v[j+len(p):]
	}
	return true
}

// searchParser reads a query's tokens.
type searchParser struct {
	toks []string
	pos  int
}

// tokenize splits on unescaped spaces and parentheses, keeping escapes.
func tokenize(q string) []string {
	var toks []string
	var cur strings.Builder
	flush := func() {
		if cur.Len() > 0 {
			toks = append(toks, cur.String())
			cur.Reset()
		}
	}
	rs := []rune(q)
	for i := 0; i < len(rs); i++ {
		switch r := rs[i]; {
		case r == '\\' && i+1 < len(rs):
			cur.WriteRune(r)
			cur.WriteRune(rs[i+1])
			i++
		case r == ' ' || r == '\t':
			flush()
		case r == '(' || r == ')':
			flush()
			toks = append(toks, string(r))
		default:
			cur.WriteRune(r)
		}
	}
	flush()
	return toks
}

func (p *searchParser) peek() string {
	if p.pos < len(p.toks) {
		return p.toks[p.pos]
	}
	return ""
}

func (p *searchParser) next() string { t := p.peek(); p.pos++; return t }

func (p *searchParser) or() (nsxQuery, error) {
	var list nsxOr
	for {
		q, err := p.and()
		if err != nil {
			return nil, err
		}
		list = append(list, q)
		if p.peek() != "OR" {
			return list, nil
		}
		p.next()
	}
}

func (p *searchParser) and() (nsxQuery, error) {
	var list nsxAnd
	for {
		q, err := p.unary()
		if err != nil {
			return nil, err
		}
		list = append(list, q)
		if p.peek() != "AND" {
			return list, nil
		}
		p.next()
	}
}

func (p *searchParser) unary() (nsxQuery, error) {
	switch t := p.next(); t {
	case "NOT":
		q, err := p.unary()
		return nsxNot{q}, err
	case "(":
		q, err := p.or()
		if err == nil && p.next() != ")" {
			err = errors.New("unbalanced parentheses")
		}
		return q, err
	case "", ")", "AND", "OR":
		return nil, fmt.Errorf("unexpected %q", t)
	default:
		return p.term(t)
	}
}

// term is field:value, or field:( v1 OR v2 ... ).
func (p *searchParser) term(t string) (nsxQuery, error) {
	i := unescapedColon(t)
	if i <= 0 {
		return nil, fmt.Errorf("%q is not field:value", t)
	}
	field, value := t[:i], t[i+1:]
	if value != "" {
		return nsxTerm{field, unescape(value)}, nil
	}
	if p.next() != "(" {
		return nil, fmt.Errorf("%q has no value", t)
	}
	var list nsxOr
	for {
		v := p.next()
		if v == "" || v == "(" || v == ")" || v == "AND" || v == "OR" {
			return nil, fmt.Errorf("unexpected %q in the values of %s", v, field)
		}
		list = append(list, nsxTerm{field, unescape(v)})
		switch p.next() {
		case "OR":
		case ")":
			return list, nil
		default:
			return nil, fmt.Errorf("unbalanced values of %s", field)
		}
	}
}

func unescapedColon(t string) int {
	for i := 0; i < len(t); i++ {
		switch t[i] {
		case '\\':
			i++
		case ':':
			return i
		}
	}
	return -1
}

// unescape drops the escaping backslashes, turns an unescaped * into the
// wildcard marker and takes a "quoted" value as it is.
func unescape(v string) string {
	if len(v) >= 2 && v[0] == '"' && v[len(v)-1] == '"' {
		return v[1 : len(v)-1]
	}
	var b strings.Builder
	for i := 0; i < len(v); i++ {
		switch {
		case v[i] == '\\' && i+1 < len(v):
			i++
			b.WriteByte(v[i])
		case v[i] == '*':
			b.WriteByte(0)
		default:
			b.WriteByte(v[i])
		}
	}
	return b.String()
}

// flatten lists an object's searchable values by dotted field name.
func flatten(prefix string, v any, out map[string][]string) {
	switch x := v.(type) {
	case nsxObject:
		flatten(prefix, map[string]any(x), out)
	case map[string]any:
		for k, sub := range x {
			name := k
			if prefix != "" {
				name = prefix + "." + k
			}
			flatten(name, sub, out)
		}
	case []any:
		for _, sub := range x {
			flatten(prefix, sub, out)
		}
	case []map[string]any:
		for _, sub := range x {
			flatten(prefix, sub, out)
		}
	case nil:
	default:
		out[prefix] = append(out[prefix], fmt.Sprint(x))
	}
}

// search answers a search/query request. m.mu is held.
func (m *NSXManager) search(params url.Values) (int, any) {
	p := &searchParser{toks: tokenize(params.Get("query"))}
	q, err := p.or()
	if err == nil && p.pos < len(p.toks) {
		err = fmt.Errorf("unexpected %q", p.peek())
	}
	if err != nil {
		return http.StatusBadRequest, nsxError(http.StatusBadRequest, "Invalid search query: "+err.Error())
	}
	var hits []nsxObject
	for _, o := range m.objects {
		f := map[string][]string{}
		flatten("", o, f)
		if q.match(f) {
			hits = append(hits, o)
		}
	}
	sort.Slice(hits, func(i, j int) bool { return hits[i]["path"].(string) < hits[j]["path"].(string) })
	size, from := 1000, 0
	if n, err := strconv.Atoi(params.Get("page_size")); err == nil && n > 0 {
		size = n
	}
	if n, err := strconv.Atoi(params.Get("cursor")); err == nil && n > 0 {
		from = min(n, len(hits))
	}
	page := hits[from:min(from+size, len(hits))]
	res := map[string]any{"results": append([]nsxObject{}, page...), "result_count": len(hits)}
	if end := from + len(page); end < len(hits) {
		res["cursor"] = strconv.Itoa(end)
	}
	return http.StatusOK, res
}
