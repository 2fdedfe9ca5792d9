package nsx

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"sort"
	"strconv"
	"strings"

	"github.com/carpsafe/terraform-provider-carp/internal/inventory"
)

// Query names what to read: the segments (as vCenter names them: policy
// path, logical switch UUID) and the segment ports of the firewall NICs
// (their VIF attachment ids, VirtualEthernetCard.externalId).
type Query struct {
	Segments    []inventory.NSXBacking
	Attachments []string
}

// The Policy API's search (GET /policy/api/v1/search/query): a Lucene
// query over every policy object, one page of up to page_size results and
// a cursor for the next (NSX-T Data Center REST API, "Search API").
const (
	searchPath = "/search/query"
	pageSize   = 1000
)

// Read reads what decides the VIP on the segments of q, in three searches
// whatever the number of segments and NICs (more only when an answer
// spans pages): the segments and the NICs' segment ports; the profile
// binding maps of both; the profiles those bind, and NSX's defaults where
// a segment binds none. The answers are kept for the command: a second
// audit of the same segments makes no call.
func (c *Client) Read(ctx context.Context, q Query) (*inventory.NSXState, error) {
	ctx = c.withLogging(ctx)
	st := &inventory.NSXState{Manager: c.cfg.Manager}
	objs, err := c.search(ctx, segmentsQuery(q))
	if err != nil {
		return nil, err
	}
	for _, o := range objs {
		switch o.ResourceType {
		case "Segment":
			st.Segments = append(st.Segments, o.segment())
		case "SegmentPort":
			st.Ports = append(st.Ports, o.port())
		}
	}
	if len(st.Segments) == 0 && len(st.Ports) == 0 {
		return st, nil
	}
	if err := c.readBindings(ctx, st); err != nil {
		return nil, err
	}
	return st, c.readProfiles(ctx, st)
}

// readBindings sets the profiles bound to the segments and the ports.
func (c *Client) readBindings(ctx context.Context, st *inventory.NSXState) error {
	var parents []string
	for _, s := range st.Segments {
		parents = append(parents, s.Path)
	}
	for _, p := range st.Ports {
		parents = append(parents, p.Path)
	}
	objs, err := c.search(ctx, anyOf("resource_type", []string{"SegmentDiscoveryProfileBindingMap", "SegmentSecurityProfileBindingMap",
		"PortDiscoveryProfileBindingMap", "PortSecurityProfileBindingMap"})+" AND "+anyOf("parent_path", parents))
	if err != nil {
		return err
	}
	bound := map[string]*inventory.NSXProfiles{}
	for i := range st.Segments {
		bound[st.Segments[i].Path] = &st.Segments[i].Bound
	}
	for i := range st.Ports {
		bound[st.Ports[i].Path] = &st.Ports[i].Bound
	}
	for _, o := range objs {
		b := bound[o.ParentPath]
		if b == nil {
			continue
		}
		setOnce(&b.MacDiscovery, o.MacDiscoveryProfilePath)
		setOnce(&b.IPDiscovery, o.IPDiscoveryProfilePath)
		setOnce(&b.SpoofGuard, o.SpoofguardProfilePath)
	}
	return nil
}

func setOnce(dst *string, v string) {
	if *dst == "" {
		*dst = v
	}
}

// readProfiles reads every profile a segment or port binds, and NSX's
// default of each kind a segment binds none of.
func (c *Client) readProfiles(ctx context.Context, st *inventory.NSXState) error {
	need := map[string]bool{}
	add := func(p, def string) {
		if p == "" {
			p = def
		}
		if p != "" {
			need[p] = true
		}
	}
	for _, s := range st.Segments {
		add(s.Bound.MacDiscovery, inventory.DefaultMacDiscoveryProfile)
		add(s.Bound.SpoofGuard, inventory.DefaultSpoofGuardProfile)
		add(s.Bound.IPDiscovery, inventory.DefaultIPDiscoveryProfile)
	}
	for _, p := range st.Ports {
		add(p.Bound.MacDiscovery, "")
		add(p.Bound.SpoofGuard, "")
		add(p.Bound.IPDiscovery, "")
	}
	paths := make([]string, 0, len(need))
	for p := range need {
		paths = append(paths, p)
	}
	objs, err := c.search(ctx, anyOf("resource_type", []string{"MacDiscoveryProfile", "SpoofGuardProfile", "IPDiscoveryProfile"})+" AND "+anyOf("path", paths))
	if err != nil {
		return err
	}
	for _, o := range objs {
		switch o.ResourceType {
		case "MacDiscoveryProfile":
			st.MacDiscovery = append(st.MacDiscovery, o.macDiscovery())
		case "SpoofGuardProfile":
			st.SpoofGuard = append(st.SpoofGuard, o.spoofGuard())
		case "IPDiscoveryProfile":
			st.IPDiscovery = append(st.IPDiscovery, o.ipDiscovery())
		}
	}
	return nil
}

// segmentsQuery finds the segments by policy path or unique id (the
// logical switch UUID vCenter gives), and the segment ports by VIF
// attachment ("resource_type:SegmentPort AND attachment.id:<vif>", the
// query NSX's own integrations use), in one search.
func segmentsQuery(q Query) string {
	var paths, ids []string
	for _, s := range q.Segments {
		if s.SegmentPath != "" {
			paths = append(paths, s.SegmentPath)
		}
		if s.LogicalSwitchUUID != "" {
			ids = append(ids, s.LogicalSwitchUUID)
		}
	}
	var terms []string
	if len(ids) > 0 {
		terms = append(terms, anyOf("unique_id", ids))
	}
	if len(paths) > 0 {
		terms = append(terms, anyOf("path", paths))
	}
	query := "(resource_type:Segment AND (" + strings.Join(terms, " OR ") + "))"
	if len(terms) == 0 {
		query = ""
	}
	if att := nonEmpty(q.Attachments); len(att) > 0 {
		ports := "(resource_type:SegmentPort AND " + anyOf("attachment.id", att) + ")"
		if query == "" {
			return ports
		}
		query += " OR " + ports
	}
	return query
}

func nonEmpty(in []string) []string {
	var out []string
	for _, s := range in {
		if s != "" {
			out = append(out, s)
		}
	}
	return out
}

// anyOf is "(field:v1 OR field:v2 ...)" with the values sorted, unique and
// escaped.
func anyOf(field string, values []string) string {
	vs := append([]string(nil), values...)
	sort.Strings(vs)
	var terms []string
	for i, v := range vs {
		if i > 0 && v == vs[i-1] {
			continue
		}
		terms = append(terms, field+":"+Escape(v))
	}
	return "(" + strings.Join(terms, " OR ") + ")"
}

// Escape backslash-escapes the characters Lucene's query syntax reserves
// (+ - = & | < > ! ( ) { } [ ] ^ " ~ * ? : \ / and space), as NSX's search
// expects of a value ("display_name:*\/name.vmx*" in nsx-operator).
func Escape(v string) string {
	var b strings.Builder
	for _, r := range v {
		if strings.ContainsRune(`+-=&|<>!(){}[]^"~*?:\/ `, r) {
			b.WriteByte('\\')
		}
		b.WriteRune(r)
	}
	return b.String()
}

// searchPage is the search API's answer (SearchResponse).
type searchPage struct {
	Results     []json.RawMessage `json:"results"`
	ResultCount int               `json:"result_count"`
	Cursor      string            `json:"cursor"`
}

type cached struct {
	done chan struct{}
	objs []policyObject
	err  error
}

// search answers a query, all its pages, once per command: concurrent and
// later askers of the same query share the first's answer (or error).
func (c *Client) search(ctx context.Context, query string) ([]policyObject, error) {
	c.mu.Lock()
	if e, ok := c.cache[query]; ok {
		c.mu.Unlock()
		select {
		case <-e.done:
			return e.objs, e.err
		case <-ctx.Done():
			return nil, c.classify(ctx.Err())
		}
	}
	e := &cached{done: make(chan struct{})}
	c.cache[query] = e
	c.mu.Unlock()
	e.objs, e.err = c.searchPages(ctx, query)
	close(e.done)
	return e.objs, e.err
}

func (c *Client) searchPages(ctx context.Context, query string) ([]policyObject, error) {
	var raw []json.RawMessage
	cursor := ""
	for {
		v := url.Values{"query": {query}, "page_size": {strconv.Itoa(c.pageSize)}}
		if cursor != "" {
			v.Set("cursor", cursor)
		}
		body, err := c.get(ctx, searchPath, v)
		if err != nil {
			return nil, err
		}
		var page searchPage
		if err := json.Unmarshal(body, &page); err != nil {
			return nil, &Error{Kind: KindAPI, Manager: c.cfg.Manager, Status: 200, Message: fmt.Sprintf("unreadable search answer: %v", err), Err: err}
		}
		raw = append(raw, page.Results...)
		if page.Cursor == "" || len(page.Results) == 0 || len(raw) >= page.ResultCount {
			break
		}
		cursor = page.Cursor
	}
	return decodeObjects(raw)
}
