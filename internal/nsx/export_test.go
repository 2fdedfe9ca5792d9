package nsx

// SetPageSize sets the page size of the search (tests of the cursor).
func SetPageSize(c *Client, n int) { c.pageSize = n }
